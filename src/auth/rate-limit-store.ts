import { Injectable, Logger, Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { InjectRedis } from '../common/redis';

/** After a Redis call timed out on a live connection, limits stay in memory this long before Redis is tried again. */
const RETRY_AFTER_MS = 1000;
/** Memory is bounded: a flood of distinct keys (one per spoofed IP, say) must not grow it without end. */
const MAX_KEYS = 100_000;

/** Counters with an expiry, in this process's memory: the operations the Redis limits use, same meaning. */
export class MemoryCounters {
  private readonly entries = new Map<string, { value: number; expiresAt: number }>();

  /** INCR that sets the expiry only when it creates the key (INCR + PEXPIRE ... NX). */
  incr(key: string, ttlMs: number): number {
    const now = Date.now();
    const entry = this.live(key, now);
    if (entry) return ++entry.value;
    this.set(key, 1, ttlMs);
    return 1;
  }

  get(key: string): number {
    return this.live(key, Date.now())?.value ?? 0;
  }

  /** Remaining lifetime in milliseconds; 0 when the key does not exist. */
  ttlMs(key: string): number {
    const now = Date.now();
    const entry = this.live(key, now);
    return entry ? entry.expiresAt - now : 0;
  }

  set(key: string, value: number, ttlMs: number): void {
    const now = Date.now();
    this.entries.delete(key);
    if (this.entries.size >= MAX_KEYS) this.makeRoom(now);
    this.entries.set(key, { value, expiresAt: now + ttlMs });
  }

  del(key: string): void {
    this.entries.delete(key);
  }

  private live(key: string, now: number) {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Drops expired keys and, if that is not enough, the oldest tenth (insertion order). */
  private makeRoom(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    if (this.entries.size < MAX_KEYS) return;
    let drop = Math.ceil(MAX_KEYS / 10);
    for (const key of this.entries.keys()) {
      if (drop-- <= 0) break;
      this.entries.delete(key);
    }
  }
}

/**
 * Where the rate-limit counters live. Normally in Redis, so that every API process shares the same limits;
 * while Redis cannot be reached (down, or slower than the shared client's command timeout), in this
 * process's memory, so that login and token issuing keep working with a per-process limit instead of
 * failing. The switch is logged once each way.
 */
@Injectable()
export class RateLimitStore {
  private readonly logger = new Logger('RateLimits');
  private readonly memory = new MemoryCounters();
  private degradedSince: number | null = null;
  private retryAt = 0;

  constructor(@InjectRedis() private readonly redis: Redis) {}

  get degraded(): boolean {
    return this.degradedSince !== null;
  }

  /** `shared` against Redis or, while Redis cannot be reached, `local` against this process's counters. */
  async run<T>(shared: (redis: Redis) => Promise<T>, local: (memory: MemoryCounters) => T): Promise<T> {
    if (this.degradedSince !== null && (Date.now() < this.retryAt || this.redis.status !== 'ready')) return local(this.memory);
    try {
      const result = await shared(this.redis);
      if (this.degradedSince !== null) {
        this.logger.log({ event: 'rate_limits_shared', degradedSeconds: Math.round((Date.now() - this.degradedSince) / 1000) }, 'rate limits are shared through Redis again');
        this.degradedSince = null;
      }
      return result;
    } catch (e) {
      // Connected but not answering in time (overloaded, paused): give it a moment. Not connected: the
      // client's status says when it is back.
      this.retryAt = this.redis.status === 'ready' ? Date.now() + RETRY_AFTER_MS : 0;
      if (this.degradedSince === null) {
        this.degradedSince = Date.now();
        const err = e as { code?: string; message?: string };
        this.logger.warn(
          { event: 'rate_limits_local', reason: err.code ?? String(err.message).split('\n')[0] },
          'Redis cannot be reached: rate limits are counted per process until it is back',
        );
      }
      return local(this.memory);
    }
  }
}

/** Shared by the throttler (which builds its storage in its own module) and the login limiter. */
@Module({ providers: [RateLimitStore], exports: [RateLimitStore] })
export class RateLimitModule {}
