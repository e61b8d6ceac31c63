import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { createHmac } from 'node:crypto';
import { AuthError } from '../auth/auth.errors';
import { GlobalRole, Permission } from '../auth/permissions';
import { holdsPermission, Principal } from '../auth/principal';
import { RevocationService } from '../auth/revocation.service';
import { JWT_ALGORITHM } from '../auth/token.service';
import { ProblemDetails, problemType, statusTitle } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { OperationsError } from './operations.errors';

/** Where the dashboard is served: outside the versioned API, which it is not part of. */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';
export const QUEUE_DASHBOARD_COOKIE = 'kt_queue_dashboard';

interface DashboardClaims {
  sub: string;
  sid: string;
  roles: GlobalRole[];
  exp: number;
}

/** A dashboard request refused, as a problem to send. */
export type DashboardRefusal = ProblemDetails & { status: 401 | 403 };

const refusal = (status: 401 | 403, code: OperationsError | AuthError, detail: string): DashboardRefusal => ({
  type: problemType(status),
  title: statusTitle(status),
  status,
  detail,
  code,
});

const SESSION_REQUIRED = refusal(
  401,
  OperationsError.QueueDashboardSessionRequired,
  'Open the queue dashboard with POST /api/v1/admin/queue-dashboard/_session (an administrator\'s access token) first.',
);

/** The value of one cookie in a Cookie header (RFC 6265: `name=value` pairs separated by `; `). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * Sessions of the queue dashboard. A browser cannot send the bearer token the API authenticates with, so an
 * administrator's access token is exchanged (POST /api/v1/admin/queue-dashboard/_session) for a cookie that
 * only the dashboard's path receives: HttpOnly, SameSite=Strict, Secure in production, holding a signed token
 * bound to the same session as the access token, and expiring with it.
 *
 * Every dashboard request is checked like the JWT guard checks a bearer token: signature, issuer, audience and
 * expiry, then the session's revocation (logout, a disabled account, changed roles or password, a deactivated
 * organisation), from the same in-memory set that every API process keeps through NOTIFY. That set remembers a
 * revocation for the access-token lifetime; the cookie never outlives the access token it was opened with, so
 * it never outlives the memory of its revocation either.
 *
 * The cookie's token is signed with a key of its own, derived from JWT_SECRET, and names its own audience: it
 * is never accepted as an access token, nor an access token as a cookie.
 */
@Injectable()
export class QueueDashboardSessions {
  private readonly key: Buffer;
  private readonly audience: string;

  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly revocations: RevocationService,
  ) {
    this.key = createHmac('sha256', config.JWT_SECRET).update('ketentafel queue dashboard session').digest();
    this.audience = `${config.JWT_AUDIENCE}:queue-dashboard`;
  }

  /** The Set-Cookie value for an administrator whose access token (already verified) expires at `expiresAtSeconds`. */
  async open(principal: Principal, expiresAtSeconds: number): Promise<{ setCookie: string; expiresAt: Date }> {
    if (principal.kind !== 'user' || !principal.sessionId) throw new Error('a dashboard session needs a person signed in');
    const claims: DashboardClaims = { sub: principal.id, sid: principal.sessionId, roles: principal.roles, exp: expiresAtSeconds };
    const token = await this.jwt.signAsync(claims, { algorithm: JWT_ALGORITHM, secret: this.key, issuer: this.config.JWT_ISSUER, audience: this.audience });
    const expiresAt = new Date(expiresAtSeconds * 1000);
    const attributes = [`Path=${QUEUE_DASHBOARD_PATH}`, `Expires=${expiresAt.toUTCString()}`, 'HttpOnly', 'SameSite=Strict', ...(this.secure ? ['Secure'] : [])];
    return { setCookie: [`${QUEUE_DASHBOARD_COOKIE}=${token}`, ...attributes].join('; '), expiresAt };
  }

  /** Why a dashboard request is refused, or nothing when its session cookie holds up. */
  check(request: FastifyRequest): DashboardRefusal | undefined {
    const token = cookieValue(request.headers.cookie, QUEUE_DASHBOARD_COOKIE);
    if (!token) return SESSION_REQUIRED;
    let claims: DashboardClaims;
    try {
      claims = this.jwt.verify<DashboardClaims>(token, { secret: this.key, algorithms: [JWT_ALGORITHM], issuer: this.config.JWT_ISSUER, audience: this.audience });
    } catch {
      return SESSION_REQUIRED;
    }
    if (!claims.sub || !claims.sid || !Array.isArray(claims.roles) || this.revocations.isSessionRevoked(claims.sid)) return SESSION_REQUIRED;
    const principal: Principal = { kind: 'user', id: claims.sub, organisationId: '', organisationType: 'ADMINISTRATION', roles: claims.roles, scopes: [], sessionId: claims.sid };
    if (!holdsPermission(principal, Permission.QueueDashboardOpen)) {
      return refusal(403, AuthError.PermissionDenied, `This requires the permission ${Permission.QueueDashboardOpen}.`);
    }
    if (!this.sameOrigin(request)) {
      return refusal(403, OperationsError.CrossOriginRefused, 'Changes through the queue dashboard are accepted from its own origin only.');
    }
    return undefined;
  }

  /**
   * SameSite=Strict keeps the cookie from other sites, but not from a sibling host of the same site: a change
   * (anything but GET or HEAD) must also carry an Origin of the API itself, as browsers send on every such fetch.
   */
  private sameOrigin(request: FastifyRequest): boolean {
    if (request.method === 'GET' || request.method === 'HEAD') return true;
    const origin = request.headers.origin;
    if (typeof origin !== 'string') return false;
    return origin === new URL(this.config.PUBLIC_BASE_URL).origin || origin === `${request.protocol}://${request.host}`;
  }

  private get secure(): boolean {
    return this.config.isProduction || this.config.PUBLIC_BASE_URL.startsWith('https:');
  }
}
