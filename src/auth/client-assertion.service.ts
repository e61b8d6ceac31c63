import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { decode, JsonWebTokenError, JwtPayload, verify } from 'jsonwebtoken';
import { Clock } from '../common/clock';
import { InjectRedis } from '../common/redis';
import { DomainException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { ApiClientService, TokenClient } from './api-client.service';
import { AuthError } from './auth.errors';
import { ASSERTION_ALGORITHMS, AssertionAlgorithm, candidateKeys } from './client-keys';
import { invalidClient } from './oauth-errors';
import { sha256 } from './token.service';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** An assertion may be valid for at most this long: its `jti` is remembered until it expires. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
/** Clock skew allowed on `exp`, `nbf` and `iat` between the client and us. */
const CLOCK_TOLERANCE_SECONDS = 30;
/** How long a client should wait when the replay check cannot be made (Redis down). */
const RETRY_AFTER_SECONDS = 5;

/** The token endpoint's URL and the issuer (RFC 8414): what a client assertion's `aud` must name. */
export function oauthUrls(config: AppConfig): { issuer: string; tokenEndpoint: string } {
  const issuer = config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  return { issuer, tokenEndpoint: `${issuer}/api/v1/oauth/token` };
}

/**
 * Client authentication with a signed JWT (private_key_jwt: RFC 7523 section 2.2 and 3, RFC 7521 section 4.2).
 * jsonwebtoken (the library under @nestjs/jwt and passport-jwt) checks signature, audience, issuer, subject and
 * times; the rest (allowed algorithms, key choice, `exp` bound, single use) is policy and lives here.
 * Every failure is the same `invalid_client` for the caller; the reason goes to the log, without any claim value.
 */
@Injectable()
export class ClientAssertionService {
  private readonly logger = new Logger('ClientAssertion');

  constructor(
    private readonly clients: ApiClientService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @InjectRedis() private readonly redis: Redis,
  ) {}

  async authenticate(assertion: string, clientIdParam?: string): Promise<TokenClient> {
    const refuse = (reason: string) => {
      this.logger.log({ event: 'client_assertion_refused', reason }, 'client assertion refused');
      return invalidClient('The client assertion is not valid.');
    };
    const decoded = decode(assertion, { complete: true });
    if (!decoded || typeof decoded.payload !== 'object') throw refuse('not a JWT');
    const { header } = decoded;
    const payload = decoded.payload as JwtPayload;
    if (!ASSERTION_ALGORITHMS.includes(header.alg as AssertionAlgorithm)) throw refuse('algorithm not allowed');
    const clientId = payload.sub;
    if (typeof clientId !== 'string' || !clientId || payload.iss !== clientId) throw refuse('iss and sub must both be the client_id');
    if (clientIdParam !== undefined && clientIdParam !== clientId) throw refuse('client_id differs from the assertion subject');
    const client = await this.clients.findTokenClient(clientId);
    if (!client || client.method !== 'private_key_jwt' || !client.jwks) throw refuse('no private_key_jwt client of this id');

    const alg = header.alg as AssertionAlgorithm;
    if (header.kid !== undefined && typeof header.kid !== 'string') throw refuse('kid is not a string');
    const keys = candidateKeys(client.jwks, alg, header.kid);
    if (!keys.length) throw refuse('no registered key for this kid and algorithm');
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const { issuer, tokenEndpoint } = oauthUrls(this.config);
    let verified: JwtPayload | undefined;
    for (const key of keys) {
      try {
        verified = verify(assertion, key, {
          algorithms: [alg],
          audience: [tokenEndpoint, issuer],
          issuer: clientId,
          subject: clientId,
          clockTimestamp: nowSeconds,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        }) as JwtPayload;
        break;
      } catch (e) {
        if (!(e instanceof JsonWebTokenError)) throw e;
        // TokenExpiredError and NotBeforeError are JsonWebTokenErrors too: the same refusal, its kind logged.
        if (keys.length === 1 || !/signature/.test(e.message)) throw refuse(e.name === 'JsonWebTokenError' ? e.message.replace(/[:.].*$/, '') : e.name);
      }
    }
    if (!verified) throw refuse('invalid signature');
    if (typeof verified.exp !== 'number') throw refuse('exp is missing');
    if (verified.exp > nowSeconds + MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) throw refuse('exp is too far ahead');
    if (typeof verified.jti !== 'string' || !verified.jti || verified.jti.length > 200) throw refuse('jti is missing');
    await this.useOnce(client.id, verified.jti, verified.exp);
    return client;
  }

  /**
   * RFC 7523 section 3 item 7: a `jti` is accepted once. SET NX in Redis, kept until the assertion expires, so
   * every API process sees it. When Redis cannot answer, the replay check cannot be made: 503 (never an
   * accepted replay, never a hang: the request-path client fails within its command timeout).
   */
  private async useOnce(clientId: string, jti: string, exp: number): Promise<void> {
    const key = `oauth:jti:${clientId}:${sha256(jti).toString('base64url')}`;
    const ttlMs = Math.max(1000, (exp + CLOCK_TOLERANCE_SECONDS) * 1000 - this.clock.now().getTime());
    let first: string | null;
    try {
      first = await this.redis.set(key, '1', 'PX', ttlMs, 'NX');
    } catch (e) {
      this.logger.warn({ event: 'client_assertion_replay_unchecked', code: (e as { code?: string }).code ?? (e as Error).name }, 'Redis cannot be reached: client assertions are refused until it is back');
      throw new DomainException(
        HttpStatus.SERVICE_UNAVAILABLE,
        AuthError.AssertionReplayUnchecked,
        'Client assertions cannot be checked for reuse right now; try again shortly.',
        { retryAfter: RETRY_AFTER_SECONDS },
      );
    }
    if (first !== 'OK') {
      this.logger.log({ event: 'client_assertion_refused', reason: 'jti replayed' }, 'client assertion refused');
      throw invalidClient('The client assertion is not valid.');
    }
  }
}
