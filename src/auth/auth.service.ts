import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DomainException } from '../common/problem';
import { User } from '../users/user.entity';
import { MeDto, TokenPairDto } from './auth.dto';
import { LoginLimiterService } from './login-limiter.service';
import { hashPassword, verifyPassword } from './password';
import { Principal } from './principal';
import { RevocationService } from './revocation.service';
import { AuthSession } from './session.entity';
import { RefreshToken } from './refresh-token.entity';
import { newSecret, sha256, TokenService } from './token.service';
import { AuthError } from './auth.errors';

const invalidCredentials = () =>
  new DomainException(HttpStatus.UNAUTHORIZED, AuthError.InvalidCredentials, 'The e-mail address or password is incorrect.');
const invalidRefresh = () =>
  new DomainException(HttpStatus.UNAUTHORIZED, AuthError.InvalidRefreshToken, 'The refresh token is invalid, used or expired; log in again.');

interface LoginUser {
  id: string;
  organisationId: string;
  organisationType: Principal['organisationType'];
  globalRoles: Principal['roles'];
  passwordHash: string | null;
  usable: boolean;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly revocations: RevocationService,
    private readonly limiter: LoginLimiterService,
    private readonly config: AppConfig,
  ) {}

  /**
   * The caller with its name, organisation and current tables, in one statement: a user's from app_user and
   * table_membership, a partner system's from api_client (which sits at no table). Roles and scopes are the
   * token's, as every guard reads them.
   */
  async me(p: Principal): Promise<MeDto> {
    const [row]: { name: string; organisation: MeDto['organisation']; tables: MeDto['tables'] }[] = await this.dataSource.query(
      p.kind === 'user'
        ? `SELECT u.name, json_build_object('id', o.id, 'name', o.name, 'type', o.type) AS organisation,
                  (SELECT coalesce(json_agg(json_build_object('id', t.id, 'name', t.name, 'role', m.role) ORDER BY t.name, t.id), '[]')
                     FROM table_membership m JOIN chain_table t ON t.id = m.table_id
                    WHERE m.user_id = u.id AND m.ended_at IS NULL AND t.active) AS tables
             FROM app_user u JOIN organisation o ON o.id = u.organisation_id WHERE u.id = $1`
        : `SELECT c.name, json_build_object('id', o.id, 'name', o.name, 'type', o.type) AS organisation, '[]'::json AS tables
             FROM api_client c JOIN organisation o ON o.id = c.organisation_id WHERE c.id = $1`,
      [p.id],
    );
    // The token was verified against a live session or client: a missing row is a revoked caller.
    if (!row) throw new DomainException(HttpStatus.UNAUTHORIZED, AuthError.Unauthenticated, 'A valid access token is required.');
    return {
      kind: p.kind,
      id: p.id,
      name: row.name,
      organisation: row.organisation,
      tables: row.tables,
      organisationId: p.organisationId,
      organisationType: p.organisationType,
      roles: p.roles,
      scopes: p.scopes,
    };
  }

  async login(email: string, password: string, ip: string): Promise<TokenPairDto> {
    await this.limiter.assertAllowed(email, ip);
    const user = await this.findLoginUser(this.dataSource.manager, 'lower(u.email) = lower($1)', email);
    const valid = await verifyPassword(user?.passwordHash, password);
    if (!user || !valid || !user.usable) {
      await this.limiter.recordFailure(email, ip);
      throw invalidCredentials();
    }
    await this.limiter.clear(email, ip);
    return this.dataSource.transaction(async (m) => {
      const session = await m.save(
        m.create(AuthSession, { userId: user.id, expiresAt: new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000) }),
      );
      return this.issuePair(m, user, session);
    });
  }

  /** Rotates the refresh token. Presenting a used one revokes the whole session (token theft). */
  async refresh(presented: string): Promise<TokenPairDto> {
    const outcome = await this.dataSource.transaction(async (m) => {
      const [row]: { id: string; session_id: string; used_at: Date | null; expires_at: Date; revoked_at: Date | null; user_id: string }[] =
        await m.query(
          `SELECT r.id, r.session_id, r.used_at, s.expires_at, s.revoked_at, s.user_id
             FROM refresh_token r JOIN auth_session s ON s.id = r.session_id
            WHERE r.token_hash = $1 FOR UPDATE OF r, s`,
          [sha256(presented)],
        );
      if (!row || row.revoked_at || row.expires_at < new Date()) return { error: invalidRefresh() };
      if (row.used_at) {
        const revoked = await this.revocations.revokeSessions(m, { sessionId: row.session_id }, 'refresh_reuse');
        return { error: invalidRefresh(), revoked };
      }
      const user = await this.findLoginUser(m, 'u.id = $1', row.user_id);
      if (!user?.usable) return { error: invalidRefresh() };
      await m.update(RefreshToken, { id: row.id }, { usedAt: new Date() });
      return { pair: await this.issuePair(m, user, { id: row.session_id, expiresAt: row.expires_at }) };
    });
    if (outcome.revoked) this.revocations.remember(outcome.revoked);
    if (outcome.error) throw outcome.error;
    return outcome.pair!;
  }

  async logout(principal: Principal): Promise<void> {
    if (!principal.sessionId) return;
    const sessionId = principal.sessionId;
    const revoked = await this.dataSource.transaction((m) => this.revocations.revokeSessions(m, { sessionId }, 'logout'));
    this.revocations.remember(revoked);
  }

  async changePassword(principal: Principal, current: string, next: string): Promise<void> {
    const user = await this.findLoginUser(this.dataSource.manager, 'u.id = $1', principal.id);
    if (!user || !(await verifyPassword(user.passwordHash, current))) {
      throw new DomainException(HttpStatus.BAD_REQUEST, AuthError.WrongCurrentPassword, 'The current password is incorrect.');
    }
    const hash = await hashPassword(next);
    const revoked = await this.dataSource.transaction(async (m) => {
      await m.update(User, { id: user.id }, { passwordHash: hash, passwordChangedAt: new Date() });
      return this.revocations.revokeSessions(m, { userId: user.id }, 'password_changed');
    });
    this.revocations.remember(revoked);
  }

  async acceptInvitation(inviteToken: string, password: string): Promise<void> {
    const hash = await hashPassword(password);
    const result = await this.dataSource.query(
      `UPDATE app_user SET password_hash = $2, password_changed_at = now(), invite_token_hash = NULL, invite_expires_at = NULL, updated_at = now()
        WHERE invite_token_hash = $1 AND invite_expires_at > now() AND disabled_at IS NULL`,
      [sha256(inviteToken), hash],
    );
    if (result[1] !== 1) {
      throw new DomainException(HttpStatus.BAD_REQUEST, AuthError.InvalidInviteToken, 'The invite token is invalid, used or expired.');
    }
  }

  private async issuePair(m: EntityManager, user: LoginUser, session: { id: string; expiresAt: Date }): Promise<TokenPairDto> {
    const refreshToken = newSecret();
    await m.insert(RefreshToken, { sessionId: session.id, tokenHash: sha256(refreshToken) });
    const accessToken = await this.tokens.signAccessToken({
      sub: user.id,
      kind: 'user',
      org: user.organisationId,
      orgType: user.organisationType,
      roles: user.globalRoles,
      sid: session.id,
    });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.tokens.accessTtlSeconds,
      refreshToken,
      refreshExpiresAt: session.expiresAt.toISOString(),
    };
  }

  private async findLoginUser(m: EntityManager, where: string, value: string): Promise<LoginUser | undefined> {
    const [row] = await m.query(
      `SELECT u.id, u.organisation_id, o.type, u.global_roles, u.password_hash, (u.disabled_at IS NULL AND o.active) AS usable
         FROM app_user u JOIN organisation o ON o.id = u.organisation_id WHERE ${where}`,
      [value],
    );
    if (!row) return undefined;
    return {
      id: row.id,
      organisationId: row.organisation_id,
      organisationType: row.type,
      globalRoles: row.global_roles,
      passwordHash: row.password_hash,
      usable: row.usable,
    };
  }
}
