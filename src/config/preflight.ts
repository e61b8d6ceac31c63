import { Redis } from 'ioredis';
import { Client } from 'pg';
import { AppConfig } from './app-config';

export class UnreachableError extends Error {}

const where = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
};

const reason = (e: unknown) => {
  const err = e as { code?: string; message?: string };
  return err.code ?? (err.message ?? 'unknown error').split('\n')[0];
};

/** Checks that PostgreSQL and Redis answer before anything else starts; one clear line when they do not. */
export async function preflight(config: AppConfig): Promise<void> {
  const pgUrl = config.DB_BOOTSTRAP || config.DB_RUN_MIGRATIONS ? config.MIGRATION_DATABASE_URL : config.DATABASE_URL;
  const probeUrl = config.DB_BOOTSTRAP ? Object.assign(new URL(pgUrl), { pathname: '/postgres' }).toString() : pgUrl;
  const pg = new Client({ connectionString: probeUrl, connectionTimeoutMillis: 3000 });
  try {
    await pg.connect();
  } catch (e) {
    const variable = pgUrl === config.DATABASE_URL ? 'DATABASE_URL' : 'MIGRATION_DATABASE_URL (and DATABASE_URL)';
    throw new UnreachableError(`Cannot reach PostgreSQL at ${where(pgUrl)} (${reason(e)}); start it or set ${variable}`);
  } finally {
    await pg.end().catch(() => undefined);
  }

  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new UnreachableError(`Cannot reach Redis at ${where(config.REDIS_URL)} (${reason(e)}); start it or set REDIS_URL`);
  } finally {
    redis.disconnect();
  }
}
