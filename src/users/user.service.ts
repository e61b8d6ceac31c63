import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { hashPassword } from '../auth/password';
import { RevocationService } from '../auth/revocation.service';
import { newSecret, sha256 } from '../auth/token.service';
import { conflict, notFound } from '../common/problem';
import { Organisation } from '../organisations/organisation.entity';
import type { GlobalRole } from '../auth/permissions';
import { containsPattern, Keyset } from '../common/list-query';
import { DEFAULT_PAGE_SIZE, Page, pageOf } from '../common/pagination';
import { CreatedUserDto, CreateUserDto, ListUsersQuery, UpdateUserDto, USER_SORT, UserDto } from './user.dto';
import { User } from './user.entity';
import { UserError } from './user.errors';

const INVITE_TTL_MS = 7 * 86_400_000;

const emailTaken = (e: unknown) =>
  e instanceof QueryFailedError && (e.driverError as { constraint?: string }).constraint === 'app_user_email_key'
    ? conflict(UserError.EmailTaken, 'A user with this e-mail address exists already.')
    : e;

const USER_COLUMNS = 'u.id, u.organisation_id, u.name, u.email, u.global_roles, u.disabled_at, u.password_hash IS NOT NULL AS has_password, u.created_at';

interface UserRow {
  id: string;
  organisation_id: string;
  name: string;
  email: string;
  global_roles: GlobalRole[];
  disabled_at: Date | null;
  has_password: boolean;
  created_at: Date;
  sort_key?: string;
}

const toUserDto = (r: UserRow): UserDto => ({
  id: r.id,
  organisationId: r.organisation_id,
  name: r.name,
  email: r.email,
  globalRoles: r.global_roles,
  disabled: r.disabled_at !== null,
  hasPassword: r.has_password,
  createdAt: r.created_at.toISOString(),
});

@Injectable()
export class UserService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly revocations: RevocationService,
  ) {}

  async create(dto: CreateUserDto): Promise<CreatedUserDto> {
    const org = await this.dataSource.manager.findOneBy(Organisation, { id: dto.organisationId });
    if (!org) throw notFound('Organisation');
    const inviteToken = dto.initialPassword ? undefined : newSecret();
    const user = this.dataSource.manager.create(User, {
      organisationId: org.id,
      name: dto.name,
      email: dto.email.trim(),
      globalRoles: dto.globalRoles ?? [],
      passwordHash: dto.initialPassword ? await hashPassword(dto.initialPassword) : null,
      passwordChangedAt: dto.initialPassword ? new Date() : null,
      inviteTokenHash: inviteToken ? sha256(inviteToken) : null,
      inviteExpiresAt: inviteToken ? new Date(Date.now() + INVITE_TTL_MS) : null,
      disabledAt: null,
    });
    const saved = await this.dataSource.manager.save(user).catch((e) => {
      throw emailTaken(e);
    });
    return {
      ...this.toDto(saved, !!dto.initialPassword),
      ...(inviteToken ? { inviteToken, inviteExpiresAt: saved.inviteExpiresAt!.toISOString() } : {}),
    };
  }

  /** A keyset page by name or creation time; `q` searches names and e-mail addresses (administrators only: the route says so). */
  async list(q: ListUsersQuery): Promise<Page<UserDto>> {
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const keyset = new Keyset(USER_SORT, q.sort ?? 'name', 'u.id');
    const params: unknown[] = [];
    const where = [keyset.after(q.cursor, params)];
    if (q.organisationId !== undefined) where.push(`u.organisation_id = $${params.push(q.organisationId)}`);
    if (q.q !== undefined) {
      const p = params.push(containsPattern(q.q));
      where.push(`(u.name ILIKE $${p} ESCAPE '\\' OR u.email ILIKE $${p} ESCAPE '\\')`);
    }
    const conditions = where.filter(Boolean);
    const rows: UserRow[] = await this.dataSource.query(
      `SELECT ${USER_COLUMNS}, ${keyset.keySql} AS sort_key
         FROM app_user u ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY ${keyset.orderBy} LIMIT $${params.push(limit + 1)}`,
      params,
    );
    return pageOf(rows, limit, keyset.positionOf, toUserDto);
  }

  async get(id: string): Promise<UserDto> {
    const [row] = await this.query('WHERE u.id = $1', [id]);
    if (!row) throw notFound('User');
    return row;
  }

  async update(id: string, dto: UpdateUserDto): Promise<UserDto> {
    const user = await this.dataSource.manager.findOneBy(User, { id });
    if (!user) throw notFound('User');
    const disabling = dto.disabled === true && user.disabledAt === null;
    const rolesChanged = dto.globalRoles !== undefined && dto.globalRoles.join() !== user.globalRoles.join();
    if (dto.name !== undefined) user.name = dto.name;
    if (dto.globalRoles !== undefined) user.globalRoles = dto.globalRoles;
    if (dto.disabled !== undefined) user.disabledAt = dto.disabled ? (user.disabledAt ?? new Date()) : null;
    const revoked = await this.dataSource.transaction(async (m) => {
      await m.save(user);
      // Roles travel in the access token: a change must not wait for the token to expire.
      if (disabling || rolesChanged) return this.revocations.revokeSessions(m, { userId: id }, disabling ? 'user_disabled' : 'roles_changed');
      return undefined;
    });
    if (revoked) this.revocations.remember(revoked);
    return this.get(id);
  }

  private async query(where: string, params: unknown[]): Promise<UserDto[]> {
    const rows: UserRow[] = await this.dataSource.query(`SELECT ${USER_COLUMNS} FROM app_user u ${where} ORDER BY name, id`, params);
    return rows.map(toUserDto);
  }

  private toDto(u: User, hasPassword: boolean): UserDto {
    return {
      id: u.id,
      organisationId: u.organisationId,
      name: u.name,
      email: u.email,
      globalRoles: u.globalRoles,
      disabled: u.disabledAt !== null,
      hasPassword,
      createdAt: u.createdAt.toISOString(),
    };
  }
}
