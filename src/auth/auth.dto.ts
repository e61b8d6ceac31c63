import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ApiScope, GlobalRole, ORGANISATION_TYPES, type OrganisationType, TableRole } from './permissions';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password';

export class LoginDto {
  @ApiProperty({ format: 'email', example: 'coa@demo.ketentafel.nl' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ format: 'password', example: 'Demo-Ketentafel-2026' })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from the last login or refresh; it can be used once.' })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  refreshToken: string;
}

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword: string;

  @ApiProperty({ format: 'password', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  newPassword: string;
}

export class AcceptInvitationDto {
  @ApiProperty({ description: 'The invite token handed out when the administrator created the user.' })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  inviteToken: string;

  @ApiProperty({ format: 'password', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'JWT (HS256) for the Authorization: Bearer header.' })
  accessToken: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({ description: 'Seconds until the access token expires.', example: 900 })
  expiresIn: number;

  @ApiProperty({ description: 'Single-use token for POST /auth/refresh; rotates on every use.' })
  refreshToken: string;

  @ApiProperty({ format: 'date-time' })
  refreshExpiresAt: string;
}

export class MeOrganisationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Politie Oost-Nederland' }) name: string;
  @ApiProperty({ enum: ORGANISATION_TYPES }) type: OrganisationType;
}

export class MeTableDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'LKO Harderwijk' }) name: string;
  @ApiProperty({ enum: TableRole, description: 'Your role at the table.' }) role: TableRole;
}

export class MeDto {
  @ApiProperty({ enum: ['user', 'client'], description: '`client` for a partner system (OAuth2 client credentials).' })
  kind: 'user' | 'client';

  @ApiProperty({ format: 'uuid', description: 'The user, or the API client.' })
  id: string;

  @ApiProperty({ example: 'Jan de Vries', description: "The user's name, or the API client's." })
  name: string;

  @ApiProperty({ type: () => MeOrganisationDto })
  organisation: MeOrganisationDto;

  @ApiProperty({
    type: () => MeTableDto,
    isArray: true,
    description: 'The active tables you sit at now, by name, with your role; empty for a partner system (it reads through its organisation and scopes).',
  })
  tables: MeTableDto[];

  @ApiProperty({ format: 'uuid', description: 'As `organisation.id`.' })
  organisationId: string;

  @ApiProperty({ enum: ORGANISATION_TYPES, description: 'As `organisation.type`.' })
  organisationType: OrganisationType;

  @ApiProperty({ enum: GlobalRole, isArray: true, description: 'Global roles of a user; empty for a partner system.' })
  roles: GlobalRole[];

  @ApiProperty({ enum: ApiScope, isArray: true, description: 'The scopes of a partner system\'s token; empty for a user.' })
  scopes: ApiScope[];
}

/** OAuth2 token request (RFC 6749 section 4.4); field names are the RFC's. */
export class ClientCredentialsDto {
  @ApiProperty({ enum: ['client_credentials'] })
  @IsIn(['client_credentials'])
  grant_type: 'client_credentials';

  @ApiPropertyOptional({ description: 'Or send client_id:client_secret as HTTP Basic authentication.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  client_id?: string;

  @ApiPropertyOptional({ format: 'password' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  client_secret?: string;

  @ApiPropertyOptional({ description: 'Space-separated subset of the client scopes; all of them when absent.', example: 'incidents:write' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  scope?: string;
}

export class ClientTokenDto {
  @ApiProperty()
  access_token: string;

  @ApiProperty({ example: 'Bearer' })
  token_type: 'Bearer';

  @ApiProperty({ example: 900 })
  expires_in: number;

  @ApiProperty({ example: 'incidents:write actions:read' })
  scope: string;
}
