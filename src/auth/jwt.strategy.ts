import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config';
import { ApiScope, ORGANISATION_TYPES } from './permissions';
import { Principal } from './principal';
import { RevocationService } from './revocation.service';
import { AccessClaims, JWT_ALGORITHM } from './token.service';

/**
 * Exactly one bearer token in compact JWS form (RFC 6750: the scheme is case-insensitive). passport-jwt's
 * own extractor takes the first two words, so `Bearer a Bearer b` would pass as the token `a`.
 */
const BEARER = /^bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;
export const bearerToken = (request: { headers: Record<string, string | string[] | undefined> }): string | null => {
  const header = request.headers.authorization;
  return typeof header === 'string' ? (BEARER.exec(header)?.[1] ?? null) : null;
};

/** Verifies the bearer token: algorithm pinned, issuer, audience and expiry checked, revocations applied. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly revocations: RevocationService,
  ) {
    super({
      jwtFromRequest: bearerToken,
      secretOrKey: config.JWT_SECRET,
      algorithms: [JWT_ALGORITHM],
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  validate(request: { ip?: string }, claims: AccessClaims): Principal | false {
    if (!claims.sub || !claims.org || !ORGANISATION_TYPES.includes(claims.orgType)) return false;
    if (claims.kind === 'user') {
      if (!claims.sid || this.revocations.isSessionRevoked(claims.sid)) return false;
    } else if (claims.kind === 'client') {
      if (this.revocations.isClientTokenRevoked(claims.sub, claims.ims ?? (claims.iat ?? 0) * 1000)) return false;
    } else {
      return false;
    }
    return {
      kind: claims.kind,
      id: claims.sub,
      organisationId: claims.org,
      organisationType: claims.orgType,
      roles: claims.roles ?? [],
      scopes: (claims.scope ?? '').split(' ').filter(Boolean) as ApiScope[],
      sessionId: claims.sid,
      ip: request.ip,
    };
  }
}
