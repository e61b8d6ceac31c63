import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { ApiScope, GlobalRole, ORGANISATION_TYPES, type OrganisationType } from './permissions';
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

export class MeDto {
  @ApiProperty({ enum: ['user', 'client'] })
  kind: 'user' | 'client';

  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty({ enum: ORGANISATION_TYPES })
  organisationType: OrganisationType;

  @ApiProperty({ enum: GlobalRole, isArray: true })
  roles: GlobalRole[];

  @ApiProperty({ enum: ApiScope, isArray: true })
  scopes: ApiScope[];
}

/**
 * OAuth2 token request (RFC 6749 section 4.4; client authentication RFC 6749 section 2.3 and RFC 7523 section 2.2);
 * field names are the RFC's. For the document only: the token endpoint reads the form itself, as RFC 6749 says
 * (unknown parameters ignored, errors as `invalid_request`).
 */
export class ClientCredentialsDto {
  @ApiProperty({ enum: ['client_credentials'] })
  grant_type: 'client_credentials';

  @ApiPropertyOptional({ maxLength: 100, description: 'With client_secret (client_secret_post); optional with a client assertion; or use HTTP Basic.' })
  client_id?: string;

  @ApiPropertyOptional({ format: 'password', maxLength: 200, description: 'client_secret_post. Or send client_id:client_secret as HTTP Basic authentication.' })
  client_secret?: string;

  @ApiPropertyOptional({ enum: ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer'], description: 'private_key_jwt (RFC 7523), with client_assertion.' })
  client_assertion_type?: string;

  @ApiPropertyOptional({
    maxLength: 8000,
    description: 'A JWT signed (RS256, PS256, ES256) with a key registered for the client: iss = sub = client_id, aud = the token endpoint URL or the issuer, exp at most 5 minutes ahead, jti used once.',
  })
  client_assertion?: string;

  @ApiPropertyOptional({ maxLength: 500, description: 'Space-separated subset of the client scopes; all of them when absent.', example: 'incidents:write' })
  scope?: string;
}

/** An error of the token endpoint: RFC 6749 section 5.2 members and RFC 9457 problem members in one object. */
export class OAuthErrorDto {
  @ApiProperty({ enum: ['invalid_request', 'invalid_client', 'invalid_grant', 'unsupported_grant_type', 'invalid_scope'], example: 'invalid_client' })
  error: string;

  @ApiProperty({ example: 'Client authentication failed.' })
  error_description: string;

  @ApiProperty({ example: 'https://ketentafel.nl/problems/unauthorized' })
  type: string;

  @ApiProperty({ example: 'Unauthorized' })
  title: string;

  @ApiProperty({ example: 401 })
  status: number;

  @ApiProperty({ example: 'Client authentication failed.' })
  detail: string;

  @ApiProperty({ example: '/api/v1/oauth/token' })
  instance: string;

  @ApiProperty({ example: 'invalid_client', description: 'Stable code, as on every problem.' })
  code: string;
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
