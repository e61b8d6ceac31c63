import { HttpStatus, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainException, notFound } from '../common/problem';
import { Organisation } from '../organisations/organisation.entity';
import { ApiClient } from './api-client.entity';
import { Keyset } from '../common/list-query';
import { DEFAULT_PAGE_SIZE, Page, pageOf } from '../common/pagination';
import { API_CLIENT_SORT, ApiClientDto, ApiClientWithSecretDto, CreateApiClientDto, ListApiClientsQuery, UpdateApiClientDto } from './api-client.dto';
import { ClientTokenDto } from './auth.dto';
import { ApiScope } from './permissions';
import { RevocationService } from './revocation.service';
import { newSecret, sameHash, sha256, TokenService } from './token.service';
import { AuthError } from './auth.errors';

const invalidClient = () =>
  new DomainException(HttpStatus.UNAUTHORIZED, AuthError.InvalidClient, 'Client authentication failed.', { error: 'invalid_client' });

const toDto = (c: ApiClient): ApiClientDto => ({
  id: c.id,
  organisationId: c.organisationId,
  name: c.name,
  clientId: c.clientId,
  scopes: c.scopes,
  disabled: c.disabledAt !== null,
  createdAt: c.createdAt.toISOString(),
});

// Client secrets are 256 random bits, so a SHA-256 digest is as strong as a slow hash and far cheaper.
const hashSecret = (secret: string) => sha256(secret).toString('base64');

@Injectable()
export class ApiClientService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly revocations: RevocationService,
  ) {}

  async create(dto: CreateApiClientDto): Promise<ApiClientWithSecretDto> {
    const org = await this.dataSource.manager.findOneBy(Organisation, { id: dto.organisationId });
    if (!org) throw notFound('Organisation');
    const secret = newSecret();
    const client = await this.dataSource.manager.save(
      this.dataSource.manager.create(ApiClient, {
        organisationId: org.id,
        name: dto.name,
        clientId: `kt_${randomBytes(12).toString('hex')}`,
        secretHash: hashSecret(secret),
        scopes: dto.scopes,
        disabledAt: null,
        tokensValidAfter: null,
      }),
    );
    return { ...toDto(client), clientSecret: secret };
  }

  async list(q: ListApiClientsQuery): Promise<Page<ApiClientDto>> {
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const keyset = new Keyset(API_CLIENT_SORT, q.sort ?? 'name', 'c.id');
    const params: unknown[] = [];
    const where = [keyset.after(q.cursor, params)];
    if (q.organisationId !== undefined) where.push(`c.organisation_id = $${params.push(q.organisationId)}`);
    const conditions = where.filter(Boolean);
    const rows: { id: string; organisation_id: string; name: string; client_id: string; scopes: ApiScope[]; disabled_at: Date | null; created_at: Date; sort_key: string }[] =
      await this.dataSource.query(
        `SELECT c.id, c.organisation_id, c.name, c.client_id, c.scopes, c.disabled_at, c.created_at, ${keyset.keySql} AS sort_key
           FROM api_client c ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
          ORDER BY ${keyset.orderBy} LIMIT $${params.push(limit + 1)}`,
        params,
      );
    return pageOf(rows, limit, keyset.positionOf, (r) => ({
      id: r.id,
      organisationId: r.organisation_id,
      name: r.name,
      clientId: r.client_id,
      scopes: r.scopes,
      disabled: r.disabled_at !== null,
      createdAt: r.created_at.toISOString(),
    }));
  }

  async get(id: string): Promise<ApiClientDto> {
    return toDto(await this.load(id));
  }

  async update(id: string, dto: UpdateApiClientDto): Promise<ApiClientDto> {
    const client = await this.load(id);
    const revoked = await this.dataSource.transaction(async (m) => {
      if (dto.name !== undefined) client.name = dto.name;
      if (dto.scopes !== undefined) client.scopes = dto.scopes;
      const disabling = dto.disabled === true && client.disabledAt === null;
      if (dto.disabled !== undefined) client.disabledAt = dto.disabled ? (client.disabledAt ?? new Date()) : null;
      await m.save(client);
      // Narrowed scopes or a disabled client: tokens already handed out must stop working now.
      return disabling || dto.scopes !== undefined ? this.revocations.revokeClientTokens(m, { clientId: client.id }) : undefined;
    });
    if (revoked) this.revocations.remember(revoked);
    return toDto(client);
  }

  async rotateSecret(id: string): Promise<ApiClientWithSecretDto> {
    const client = await this.load(id);
    const secret = newSecret();
    const revoked = await this.dataSource.transaction(async (m) => {
      await m.update(ApiClient, { id }, { secretHash: hashSecret(secret) });
      return this.revocations.revokeClientTokens(m, { clientId: id });
    });
    this.revocations.remember(revoked);
    return { ...toDto(client), clientSecret: secret };
  }

  async issueToken(clientId: string, secret: string, requestedScope?: string): Promise<ClientTokenDto> {
    const [row] = await this.dataSource.query(
      `SELECT c.id, c.organisation_id, c.secret_hash, c.scopes, o.type, (c.disabled_at IS NULL AND o.active) AS usable
         FROM api_client c JOIN organisation o ON o.id = c.organisation_id WHERE c.client_id = $1`,
      [clientId],
    );
    const presented = Buffer.from(hashSecret(secret), 'base64');
    if (!row || !row.usable || !sameHash(Buffer.from(row.secret_hash, 'base64'), presented)) throw invalidClient();
    const granted: ApiScope[] = row.scopes;
    const requested = requestedScope ? requestedScope.split(' ').filter(Boolean) : granted;
    const unknown = requested.filter((s) => !granted.includes(s as ApiScope));
    if (unknown.length) {
      throw new DomainException(HttpStatus.BAD_REQUEST, AuthError.InvalidScope, `Scope not granted to this client: ${unknown.join(' ')}`, {
        error: 'invalid_scope',
      });
    }
    const scope = requested.join(' ');
    const accessToken = await this.tokens.signAccessToken({ sub: row.id, kind: 'client', org: row.organisation_id, orgType: row.type, scope });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.tokens.accessTtlSeconds, scope };
  }

  private async load(id: string): Promise<ApiClient> {
    const client = await this.dataSource.manager.findOneBy(ApiClient, { id });
    if (!client) throw notFound('API client');
    return client;
  }
}
