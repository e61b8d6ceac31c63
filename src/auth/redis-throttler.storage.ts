import { ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitStore } from './rate-limit-store';

// Fixed window per key; the blocked state lasts blockDuration once the limit is passed.
const SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local blocked = redis.call('PTTL', KEYS[2])
if blocked <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blocked = tonumber(ARGV[3])
end
return {hits, ttl, blocked}`;

/**
 * ThrottlerStorage in Redis, so that every API process shares the same limits; while Redis cannot be
 * reached, the same fixed window per process (RateLimitStore).
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly store: RateLimitStore) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    const base = `throttle:${throttlerName}:${key}`;
    const blocking = blockDuration || ttl;
    const [hits, ttlMs, blockedMs] = await this.store.run(
      async (redis) => (await redis.eval(SCRIPT, 2, base, `${base}:blocked`, ttl, limit, blocking)) as number[],
      (memory) => {
        const count = memory.incr(base, ttl);
        let blocked = memory.ttlMs(`${base}:blocked`);
        if (blocked <= 0 && count > limit) {
          memory.set(`${base}:blocked`, 1, blocking);
          blocked = blocking;
        }
        return [count, memory.ttlMs(base), blocked];
      },
    );
    const isBlocked = blockedMs > 0;
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(Math.max(ttlMs, 0) / 1000),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil(blockedMs / 1000) : 0,
    };
  }
}
