import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';
import { AppConfig } from '../config/app-config';

export const REDIS = Symbol('REDIS');
export const InjectRedis = () => Inject(REDIS);

/**
 * How long a request may wait for one Redis command. The request path only uses Redis for rate limits,
 * which fall back to this process's memory when Redis does not answer in time.
 */
export const REQUEST_COMMAND_TIMEOUT_MS = 500;

/** ioredis options from REDIS_URL. Request-path clients fail fast instead of queueing when Redis is down. */
export function redisOptions(url: string, extra: RedisOptions = {}): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    protocol: 2,
    ...extra,
  } as RedisOptions;
}

const QUIET_MS = 30_000;

/**
 * Connection errors repeat on every reconnect attempt (several a second) while Redis is down. This turns
 * them into one structured warning per source every 30 s, with the number left out meanwhile, and one
 * line when the source is connected again.
 */
export class ConnectionErrorLog {
  private readonly sources = new Map<string, { lastWarned: number; suppressed: number; failing: boolean }>();

  constructor(
    private readonly logger: Logger,
    private readonly quietMs = QUIET_MS,
  ) {}

  error(fields: Record<string, string>, err: Error & { code?: string }, message: string): void {
    const key = JSON.stringify(fields);
    const state = this.sources.get(key) ?? { lastWarned: 0, suppressed: 0, failing: false };
    this.sources.set(key, state);
    state.failing = true;
    const now = Date.now();
    if (now - state.lastWarned < this.quietMs) {
      state.suppressed += 1;
      return;
    }
    // Only the code and the first line: a stack says nothing here that the code does not.
    this.logger.warn({ ...fields, code: err.code ?? err.name, reason: String(err.message).split('\n')[0], suppressed: state.suppressed }, message);
    state.lastWarned = now;
    state.suppressed = 0;
  }

  ready(fields: Record<string, string>, message: string): void {
    const state = this.sources.get(JSON.stringify(fields));
    if (!state?.failing) return;
    state.failing = false;
    state.lastWarned = 0;
    state.suppressed = 0;
    this.logger.log(fields, message);
  }
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const client = new Redis(
          redisOptions(config.REDIS_URL, {
            // A command waits neither for a connection nor longer than the timeout: callers fall back.
            enableOfflineQueue: false,
            commandTimeout: REQUEST_COMMAND_TIMEOUT_MS,
            maxRetriesPerRequest: 1,
            connectTimeout: 3000,
            keyPrefix: `${config.REDIS_PREFIX}:`,
          }),
        );
        const log = new ConnectionErrorLog(new Logger('Redis'));
        client.on('error', (err: Error) => log.error({ client: 'shared' }, err, 'shared Redis client cannot reach Redis'));
        client.on('ready', () => log.ready({ client: 'shared' }, 'shared Redis client connected again'));
        return client;
      },
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}
