import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmpty,
  IsEnum,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { SortField, SortParam, sortValues } from '../common/list-query';
import { PageQueryDto, PageViewOf } from '../common/pagination';
import { TOKEN_ENDPOINT_AUTH_METHODS, type TokenEndpointAuthMethod } from './api-client.entity';
import { ASSERTION_ALGORITHMS, MAX_KEYS } from './client-keys';
import { ApiScope } from './permissions';

const PRIVATE_MEMBER = { message: '$property is a private or symmetric key member: register the public key only' };

/** One public key (RFC 7517): RSA (RS256, PS256; at least 2048 bits) or EC P-256 (ES256). */
export class JwkDto {
  @ApiProperty({ enum: ['RSA', 'EC'] })
  @IsIn(['RSA', 'EC'])
  kty: 'RSA' | 'EC';

  @ApiPropertyOptional({ maxLength: 200, description: 'Key id; assertions name their key by it in the `kid` header. Default: the RFC 7638 thumbprint.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  kid?: string;

  @ApiPropertyOptional({ enum: ASSERTION_ALGORITHMS })
  @IsOptional()
  @IsIn(ASSERTION_ALGORITHMS)
  alg?: (typeof ASSERTION_ALGORITHMS)[number];

  @ApiPropertyOptional({ enum: ['sig'] })
  @IsOptional()
  @IsIn(['sig'])
  use?: 'sig';

  @ApiPropertyOptional({ description: 'RSA modulus (base64url).', maxLength: 1400 })
  @IsOptional()
  @IsString()
  @MaxLength(1400)
  n?: string;

  @ApiPropertyOptional({ description: 'RSA exponent (base64url).', example: 'AQAB', maxLength: 20 })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  e?: string;

  @ApiPropertyOptional({ enum: ['P-256'] })
  @IsOptional()
  @IsIn(['P-256'])
  crv?: 'P-256';

  @ApiPropertyOptional({ description: 'EC x coordinate (base64url).', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  x?: string;

  @ApiPropertyOptional({ description: 'EC y coordinate (base64url).', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  y?: string;

  // Private members are refused with a reason that says so (not as unknown fields); undocumented on purpose.
  @IsEmpty(PRIVATE_MEMBER) d?: never;
  @IsEmpty(PRIVATE_MEMBER) p?: never;
  @IsEmpty(PRIVATE_MEMBER) q?: never;
  @IsEmpty(PRIVATE_MEMBER) dp?: never;
  @IsEmpty(PRIVATE_MEMBER) dq?: never;
  @IsEmpty(PRIVATE_MEMBER) qi?: never;
  @IsEmpty(PRIVATE_MEMBER) k?: never;
}

export class JwksDto {
  @ApiProperty({ type: JwkDto, isArray: true, maxItems: MAX_KEYS, minItems: 1 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_KEYS)
  @ValidateNested({ each: true })
  @Type(() => JwkDto)
  keys: JwkDto[];
}

const AUTH_METHOD_DOC =
  'How the client authenticates at `/oauth/token`. `client_secret_basic` and `client_secret_post` (default `client_secret_basic`) get a ' +
  'client secret and may send it either way; `private_key_jwt` (RFC 7523) registers public keys (`jwks` or `publicKeyPem`) and ' +
  'signs a client assertion; it has no secret. Giving keys without a method means `private_key_jwt`.';

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

  @ApiPropertyOptional({ enum: TOKEN_ENDPOINT_AUTH_METHODS, description: AUTH_METHOD_DOC })
  @IsOptional()
  @IsIn(TOKEN_ENDPOINT_AUTH_METHODS)
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;

  @ApiPropertyOptional({ type: JwksDto, description: 'The public keys of a `private_key_jwt` client (a JWKS, public members only).' })
  @IsOptional()
  @ValidateNested()
  @Type(() => JwksDto)
  jwks?: JwksDto;

  @ApiPropertyOptional({ maxLength: 10000, description: 'Instead of `jwks`: one PEM public key (`-----BEGIN PUBLIC KEY-----`), RSA or EC P-256.' })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  publicKeyPem?: string;
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

  @ApiPropertyOptional({
    enum: TOKEN_ENDPOINT_AUTH_METHODS,
    description: `${AUTH_METHOD_DOC} Switching between a secret and keys revokes the current tokens; switching to a secret method issues a new secret, shown in this response only.`,
  })
  @IsOptional()
  @IsIn(TOKEN_ENDPOINT_AUTH_METHODS)
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;

  @ApiPropertyOptional({ type: JwksDto, description: 'Replaces the keys of a `private_key_jwt` client (key rotation: register the new key beside the old one first).' })
  @IsOptional()
  @ValidateNested()
  @Type(() => JwksDto)
  jwks?: JwksDto;

  @ApiPropertyOptional({ maxLength: 10000, description: 'Instead of `jwks`: one PEM public key.' })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  publicKeyPem?: string;
}

export class ApiClientDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'OAuth2 client_id.' }) clientId: string;
  @ApiProperty({ enum: ApiScope, isArray: true }) scopes: ApiScope[];
  @ApiProperty() disabled: boolean;
  @ApiProperty({ enum: TOKEN_ENDPOINT_AUTH_METHODS }) tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  @ApiProperty({ type: JwksDto, nullable: true, description: 'The registered public keys (`private_key_jwt`); null for a secret client.' }) jwks: JwksDto | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class ApiClientWithSecretDto extends ApiClientDto {
  @ApiPropertyOptional({ description: 'OAuth2 client_secret. Shown only in this response; store it now. Absent for a `private_key_jwt` client.' })
  clientSecret?: string;
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
