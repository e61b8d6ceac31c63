import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayUnique, IsArray, IsBoolean, IsEmail, IsEnum, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/password';
import { GlobalRole } from '../auth/permissions';
import { SearchParam, SortField, SortParam, sortValues } from '../common/list-query';
import { PageQueryDto, PageViewOf } from '../common/pagination';

export class CreateUserDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId: string;

  @ApiProperty({ example: 'J. de Vries', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ format: 'email' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiPropertyOptional({ enum: GlobalRole, isArray: true, description: 'Global roles; table roles are given on each table.' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsEnum(GlobalRole, { each: true })
  globalRoles?: GlobalRole[];

  @ApiPropertyOptional({
    format: 'password',
    minLength: PASSWORD_MIN_LENGTH,
    description: 'An initial password. Without it, the response carries a one-time invite token (valid 7 days).',
  })
  @IsOptional()
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  initialPassword?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: GlobalRole, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsEnum(GlobalRole, { each: true })
  globalRoles?: GlobalRole[];

  @ApiPropertyOptional({ description: 'Disabling revokes every session of the user at once.' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty({ enum: GlobalRole, isArray: true }) globalRoles: GlobalRole[];
  @ApiProperty() disabled: boolean;
  @ApiProperty({ description: 'False while an invitation is pending.' }) hasPassword: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedUserDto extends UserDto {
  @ApiPropertyOptional({ description: 'One-time invite token for POST /auth/accept-invitation; only in this response.' })
  inviteToken?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  inviteExpiresAt?: string;
}

export const USER_SORT: Record<string, SortField> = { name: { column: 'u.name', kind: 'text' }, createdAt: { column: 'u.created_at', kind: 'timestamp' } };

export class ListUsersQuery extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the users of this organisation.' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @SearchParam('Only users whose name or e-mail address contains this.')
  q?: string;

  @SortParam(sortValues(USER_SORT), 'name')
  sort?: string;
}

export const UserPage = PageViewOf(UserDto, 'UserPage');
