import { HttpStatus, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainException, notFound, ValidationProblem } from '../common/problem';
import { Organisation } from '../organisations/organisation.entity';
import { ApiClient, TokenEndpointAuthMethod } from './api-client.entity';
import { Jwks, KeyRegistrationError, registeredKeys } from './client-keys';
import { Keyset } from '../common/list-query';
import { DEFAULT_PAGE_SIZE, Page, pageOf } from '../common/pagination';
import { API_CLIENT_SORT, ApiClientDto, ApiClientWithSecretDto, CreateApiClientDto, ListApiClientsQuery, UpdateApiClientDto } from './api-client.dto';
import { ClientTokenDto } from './auth.dto';
import { ApiScope, OrganisationType } from './permissions';
import { RevocationService } from './revocation.service';
import { newSecret, sameHash, sha256, TokenService } from './token.service';
import { AuthError } from './auth.errors';

import { invalidClient, OAuthError } from './oauth-errors';

/** What the answer shows of a client: an entity, or a row the list selected under the entity's property names. */
type ClientFields = Pick<ApiClient, 'id' | 'organisationId' | 'name' | 'clientId' | 'scopes' | 'disabledAt' | 'tokenEndpointAuthMethod' | 'jwks' | 'createdAt'>;

const toDto = (c: ClientFields): ApiClientDto => ({
  id: c.id,
  organisationId: c.organisationId,
  name: c.name,
  clientId: c.clientId,
  scopes: c.scopes,
  disabled: c.disabledAt !== null,
  tokenEndpointAuthMethod: c.tokenEndpointAuthMethod,
  jwks: c.jwks,
  createdAt: c.createdAt.toISOString(),
});

// Client secrets are 256 random bits, so a SHA-256 digest is as strong as a slow hash and far cheaper.
const hashSecret = (secret: string) => sha256(secret).toString('base64');

/** A client that can obtain tokens, as the token endpoint reads it. */
export interface TokenClient {
  id: string;
  organisationId: string;
  organisationType: OrganisationType;
  scopes: ApiScope[];
  method: TokenEndpointAuthMethod;
  jwks: Jwks | null;
}

interface KeyInput {
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  jwks?: { keys?: unknown };
  publicKeyPem?: string;
}

/**
 * The credentials a create or update asks for: the method, and the keys when it is private_key_jwt. A secret
 * client registers no keys and a key client gets no secret (a leaked secret must not stand in for a key).
 * Undefined when the request changes neither.
 */
function credentialsOf(dto: KeyInput, current?: ApiClient): { method: TokenEndpointAuthMethod; jwks: Jwks | null } | undefined {
  const keysGiven = dto.jwks !== undefined || dto.publicKeyPem !== undefined;
  if (!keysGiven && dto.tokenEndpointAuthMethod === undefined) return undefined;
  const method = dto.tokenEndpointAuthMethod ?? (keysGiven ? 'private_key_jwt' : current!.tokenEndpointAuthMethod);
  if (method !== 'private_key_jwt') {
    if (keysGiven) throw new ValidationProblem([{ name: dto.jwks !== undefined ? 'jwks' : 'publicKeyPem', reason: 'only for tokenEndpointAuthMethod private_key_jwt' }]);
    return { method, jwks: null };
  }
  if (!keysGiven) {
    if (current?.jwks) return { method, jwks: current.jwks };
    throw new ValidationProblem([{ name: 'jwks', reason: 'is required for tokenEndpointAuthMethod private_key_jwt (or give publicKeyPem)' }]);
  }
  try {
    return { method, jwks: registeredKeys(dto) };
  } catch (e) {
    if (e instanceof KeyRegistrationError) throw new ValidationProblem(e.invalidParams);
    throw e;
  }
}

const usesSecret = (method: TokenEndpointAuthMethod) => method !== 'private_key_jwt';

@Injectable()
export class ApiClientService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly revocations: RevocationService,
  ) {}

  async create(dto: CreateApiClientDto): Promise<ApiClientWithSecretDto> {
    const org = await this.dataSource.manager.findOneBy(Organisation, { id: dto.organisationId });
    const credentials = credentialsOf(dto) ?? { method: 'client_secret_basic', jwks: null };
    if (!org) throw notFound('Organisation');
    const secret = usesSecret(credentials.method) ? newSecret() : undefined;
    const client = await this.dataSource.manager.save(
      this.dataSource.manager.create(ApiClient, {
        organisationId: org.id,
        name: dto.name,
        clientId: `kt_${randomBytes(12).toString('hex')}`,
        secretHash: secret ? hashSecret(secret) : null,
        tokenEndpointAuthMethod: credentials.method,
        jwks: credentials.jwks,
        scopes: dto.scopes,
        disabledAt: null,
        tokensValidAfter: null,
      }),
    );
    return { ...toDto(client), ...(secret ? { clientSecret: secret } : {}) };
  }

  async list(q: ListApiClientsQuery): Promise<Page<ApiClientDto>> {
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const keyset = new Keyset(API_CLIENT_SORT, q.sort ?? 'name', 'c.id');
    const params: unknown[] = [];
    const where = [keyset.after(q.cursor, params)];
    if (q.organisationId !== undefined) where.push(`c.organisation_id = $${params.push(q.organisationId)}`);
    const conditions = where.filter(Boolean);
    const rows: (ClientFields & { sort_key: string })[] = await this.dataSource.query(
      `SELECT c.id, c.organisation_id AS "organisationId", c.name, c.client_id AS "clientId", c.scopes,
              c.token_endpoint_auth_method AS "tokenEndpointAuthMethod", c.jwks, c.disabled_at AS "disabledAt",
              c.created_at AS "createdAt", ${keyset.keySql} AS sort_key
         FROM api_client c ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY ${keyset.orderBy} LIMIT $${params.push(limit + 1)}`,
      params,
    );
    return pageOf(rows, limit, keyset.positionOf, toDto);
  }

  async get(id: string): Promise<ApiClientDto> {
    return toDto(await this.load(id));
  }

  async update(id: string, dto: UpdateApiClientDto): Promise<ApiClientWithSecretDto> {
    const client = await this.load(id);
    const credentials = credentialsOf(dto, client);
    // Between a secret and keys: the old credential must stop working, and a secret client needs a secret.
    const switching = credentials !== undefined && usesSecret(credentials.method) !== usesSecret(client.tokenEndpointAuthMethod);
    const secret = switching && usesSecret(credentials.method) ? newSecret() : undefined;
    const revoked = await this.dataSource.transaction(async (m) => {
      if (dto.name !== undefined) client.name = dto.name;
      if (dto.scopes !== undefined) client.scopes = dto.scopes;
      const disabling = dto.disabled === true && client.disabledAt === null;
      if (dto.disabled !== undefined) client.disabledAt = dto.disabled ? (client.disabledAt ?? new Date()) : null;
      await m.save(client);
      if (credentials) {
        // One statement: the table's check allows a secret or keys, never both and never neither.
        const secretHash = switching ? { secretHash: secret ? hashSecret(secret) : null } : {};
        await m.update(ApiClient, { id }, { tokenEndpointAuthMethod: credentials.method, jwks: credentials.jwks as object, ...secretHash });
        client.tokenEndpointAuthMethod = credentials.method;
        client.jwks = credentials.jwks;
      }
      // Narrowed scopes, a disabled client or a replaced credential: tokens already handed out must stop working now.
      return disabling || switching || dto.scopes !== undefined ? this.revocations.revokeClientTokens(m, { clientId: client.id }) : undefined;
    });
    if (revoked) this.revocations.remember(revoked);
    return { ...toDto(client), ...(secret ? { clientSecret: secret } : {}) };
  }

  async rotateSecret(id: string): Promise<ApiClientWithSecretDto> {
    const client = await this.load(id);
    if (!usesSecret(client.tokenEndpointAuthMethod)) {
      throw new DomainException(HttpStatus.CONFLICT, AuthError.NoClientSecret, 'This client authenticates with private_key_jwt and has no secret; register new keys with PATCH instead.');
    }
    const secret = newSecret();
    const revoked = await this.dataSource.transaction(async (m) => {
      await m.update(ApiClient, { id }, { secretHash: hashSecret(secret) });
      return this.revocations.revokeClientTokens(m, { clientId: id });
    });
    this.revocations.remember(revoked);
    return { ...toDto(client), clientSecret: secret };
  }

  /** The client of this client_id if it may obtain tokens at all (exists, enabled, its organisation active). */
  async findTokenClient(clientId: string): Promise<(TokenClient & { secretHash: string | null }) | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT c.id, c.organisation_id, c.secret_hash, c.scopes, c.token_endpoint_auth_method, c.jwks, o.type
         FROM api_client c JOIN organisation o ON o.id = c.organisation_id
        WHERE c.client_id = $1 AND c.disabled_at IS NULL AND o.active`,
      [clientId],
    );
    if (!row) return undefined;
    return { id: row.id, organisationId: row.organisation_id, organisationType: row.type, scopes: row.scopes, method: row.token_endpoint_auth_method, jwks: row.jwks, secretHash: row.secret_hash };
  }

  /** The client whose secret this is; invalid_client for a wrong secret, an unknown client or a private_key_jwt client. */
  async authenticateWithSecret(clientId: string, secret: string): Promise<TokenClient> {
    const client = await this.findTokenClient(clientId);
    const presented = Buffer.from(hashSecret(secret), 'base64');
    // A key client has no secret: sameHash against an empty buffer is false whatever is sent.
    const stored = Buffer.from(client?.secretHash ?? '', 'base64');
    if (!client || !sameHash(stored, presented)) throw invalidClient('Client authentication failed.');
    return client;
  }

  async issueToken(client: TokenClient, requestedScope?: string): Promise<ClientTokenDto> {
    const granted = client.scopes;
    const requested = requestedScope ? requestedScope.split(' ').filter(Boolean) : granted;
    const unknown = requested.filter((s) => !granted.includes(s as ApiScope));
    if (unknown.length) {
      // Scope names are the product's vocabulary, never personal data; a long list is cut to keep the answer small.
      throw new OAuthError(400, 'invalid_scope', AuthError.InvalidScope, `Scope not granted to this client: ${unknown.slice(0, 10).join(' ').slice(0, 300)}`);
    }
    const scope = [...new Set(requested)].join(' ');
    const accessToken = await this.tokens.signAccessToken({
      sub: client.id,
      kind: 'client',
      org: client.organisationId,
      orgType: client.organisationType,
      scope,
    });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.tokens.accessTtlSeconds, scope };
  }

  private async load(id: string): Promise<ApiClient> {
    const client = await this.dataSource.manager.findOneBy(ApiClient, { id });
    if (!client) throw notFound('API client');
    return client;
  }
}
