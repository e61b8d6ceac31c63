import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayUnique, IsArray, IsBoolean, IsEnum, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { SortField, SortParam, sortValues } from '../common/list-query';
import { PageQueryDto, PageViewOf } from '../common/pagination';
import { ApiScope } from './permissions';

export class CreateApiClientDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId: string;

  @ApiProperty({ example: 'Politie BVH-koppeling', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: ApiScope, isArray: true })
  @IsArray()
  @ArrayUnique()
  @IsEnum(ApiScope, { each: true })
  scopes: ApiScope[];
}

export class UpdateApiClientDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: ApiScope, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsEnum(ApiScope, { each: true })
  scopes?: ApiScope[];

  @ApiPropertyOptional({ description: 'Disabling makes the client unable to get tokens, and its current tokens fail at once.' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class ApiClientDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'OAuth2 client_id.' }) clientId: string;
  @ApiProperty({ enum: ApiScope, isArray: true }) scopes: ApiScope[];
  @ApiProperty() disabled: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class ApiClientWithSecretDto extends ApiClientDto {
  @ApiProperty({ description: 'OAuth2 client_secret. Shown only in this response; store it now.' })
  clientSecret: string;
}

export const API_CLIENT_SORT: Record<string, SortField> = { name: { column: 'c.name', kind: 'text' }, createdAt: { column: 'c.created_at', kind: 'timestamp' } };

export class ListApiClientsQuery extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the systems of this organisation.' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @SortParam(sortValues(API_CLIENT_SORT), 'name')
  sort?: string;
}

export const ApiClientPage = PageViewOf(ApiClientDto, 'ApiClientPage');
