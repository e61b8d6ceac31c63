import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { CommonError, DomainException } from '../common/problem';

/**
 * @nestjs/throttler's guard, answering its refusal as every other 429: a problem with code
 * `too_many_requests` and the standard `Retry-After` header (RFC 9110 section 10.2.3). The library's own
 * refusal says "ThrottlerException: Too Many Requests" and names its header after the throttler
 * (`Retry-After-auth`), which no client reads; its headers are switched off in AuthModule (`setHeaders: false`).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    throw new DomainException(HttpStatus.TOO_MANY_REQUESTS, CommonError.TooManyRequests, `Too many requests to this endpoint; try again in ${retryAfter} seconds.`, { retryAfter });
  }
}
