import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { DomainException } from '../common/problem';
import { InjectRedis } from '../common/redis';
import { AuthError } from './auth.errors';

const WINDOW_SECONDS = 15 * 60;

/**
 * Counts failed logins per account and per origin IP in Redis (shared by every API process).
 * Past the limit, further attempts are refused with 429 until the window has passed.
 * Accounts are keyed by a hash of the e-mail address, so neither Redis nor the log holds it.
 */
@Injectable()
export class LoginLimiterService {
  private readonly logger = new Logger('LoginLimiter');

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  private keys(email: string, ip: string): [string, string] {
    const account = createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
    return [`login-fail:acct:${account}`, `login-fail:ip:${createHash('sha256').update(ip).digest('hex').slice(0, 32)}`];
  }

  async assertAllowed(email: string, ip: string): Promise<void> {
    const keys = this.keys(email, ip);
    const [account, origin] = await this.redis.mget(...keys);
    const ipLimit = this.config.LOGIN_MAX_FAILURES * 4; // several colleagues may share one office IP
    if (Number(account ?? 0) >= this.config.LOGIN_MAX_FAILURES || Number(origin ?? 0) >= ipLimit) {
      const ttl = Math.max(await this.redis.ttl(Number(account ?? 0) >= this.config.LOGIN_MAX_FAILURES ? keys[0] : keys[1]), 1);
      throw new DomainException(HttpStatus.TOO_MANY_REQUESTS, AuthError.TooManyFailedLogins, 'Too many failed login attempts; try again later.', {
        retryAfter: ttl,
      });
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const keys = this.keys(email, ip);
    const results = await this.redis
      .multi()
      .incr(keys[0])
      .expire(keys[0], WINDOW_SECONDS, 'NX')
      .incr(keys[1])
      .expire(keys[1], WINDOW_SECONDS, 'NX')
      .exec();
    const failures = Number(results?.[0]?.[1] ?? 0);
    this.logger.warn({ event: 'login_failed', account: keys[0].slice(-12), failures }, 'failed login');
  }

  async clear(email: string, ip: string): Promise<void> {
    await this.redis.del(this.keys(email, ip)[0]);
  }
}
