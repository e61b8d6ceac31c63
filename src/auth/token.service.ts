import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { GlobalRole, OrganisationType } from './permissions';

export const JWT_ALGORITHM = 'HS256';

/** Claims of an access token. Short names keep the token small; they are only read by this service. */
export interface AccessClaims {
  sub: string;
  kind: 'user' | 'client';
  org: string;
  orgType: OrganisationType;
  roles?: GlobalRole[];
  scope?: string;
  sid?: string;
  /** Issued-at in milliseconds: revocations compare against it (iat has whole seconds only). */
  ims?: number;
  iat?: number;
  exp?: number;
}

export const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/** A random secret (refresh token, client secret, invite, feed token): 256 bits, base64url. */
export const newSecret = (): string => randomBytes(32).toString('base64url');

export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  get accessTtlSeconds(): number {
    return this.config.ACCESS_TOKEN_TTL_SECONDS;
  }

  signAccessToken(claims: Omit<AccessClaims, 'iat' | 'exp' | 'ims'>): Promise<string> {
    return this.jwt.signAsync(
      { ...claims, ims: Date.now() },
      {
        algorithm: JWT_ALGORITHM,
        secret: this.config.JWT_SECRET,
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS,
      },
    );
  }
}
