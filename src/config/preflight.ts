import { Redis } from 'ioredis';
import { Client } from 'pg';
import { AppConfig } from './app-config';

export class UnreachableError extends Error {}

/** Longest one probe may take in all (connecting, DNS, authentication), so that a bad setting stops the start at once. */
const PROBE_TIMEOUT_MS = 3000;

const where = (url: URL) => `${url.hostname}:${url.port || (url.protocol.startsWith('redis') ? 6379 : 5432)}`;

const firstLine = (e: unknown) => String((e as { message?: string }).message ?? e).split('\n')[0];

/** Rejects with a timeout error after `ms`, so that no probe waits on a resolver or a silent peer for long. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One line that says what is wrong with a PostgreSQL connection URL and which variable to set, whatever the cause.
 * Only the host, port, role and database of the URL are named: never its password, nor the server's message beyond
 * its first line.
 */
export function postgresProblem(e: unknown, connectionString: string, variable: string): string {
  const url = new URL(connectionString);
  const at = where(url);
  const role = decodeURIComponent(url.username) || 'the operating-system user';
  const database = decodeURIComponent(url.pathname.slice(1)) || role;
  const err = e as { code?: string; message?: string };
  const message = firstLine(e);
  if (err.code === 'ECONNREFUSED') return `Cannot reach PostgreSQL at ${at} (ECONNREFUSED); start it or set ${variable}`;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `Cannot reach PostgreSQL at ${at} (host ${url.hostname} unknown); set ${variable}`;
  if (err.code === 'ETIMEDOUT' || /timeout|timed out/i.test(message)) {
    return `Cannot reach PostgreSQL at ${at} (no answer within ${PROBE_TIMEOUT_MS / 1000} s); start it or set ${variable}`;
  }
  // pg asks for the password only when the server wants one (SCRAM or md5) and the URL has none.
  if (/client password must be a string|password must be a string/i.test(message) || (err.code === '28P01' && !url.password)) {
    return `PostgreSQL at ${at} wants a password for role "${role}" and ${variable} has none; set ${variable}=postgres://${url.username || '<role>'}:<password>@${at}/${database}`;
  }
  if (err.code === '28P01') return `PostgreSQL at ${at} refused the password for role "${role}" (28P01 authentication failed); set ${variable} with the right password`;
  if (err.code === '28000') return `PostgreSQL at ${at} refused role "${role}" (28000 ${message}); set ${variable} with a role that may log in`;
  if (err.code === '3D000') return `PostgreSQL at ${at} has no database "${database}" (3D000); create it or set ${variable}`;
  if (err.code === '53300') return `PostgreSQL at ${at} has no connection left (53300 too many connections); raise max_connections or set ${variable}`;
  return `Cannot use PostgreSQL at ${at} as ${variable} says (${err.code ? `${err.code} ` : ''}${message}); check ${variable}`;
}

/**
 * Connects once to `connectionString` and disconnects; an UnreachableError naming `variable` when that fails,
 * described by `configured` (the variable's own URL, when the probe connects to another database of the server).
 */
export async function probePostgres(connectionString: string, variable: string, configured = connectionString): Promise<void> {
  const pg = new Client({ connectionString, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  pg.on('error', () => undefined); // a late socket error after a failed connect is already reported below
  try {
    await within(PROBE_TIMEOUT_MS + 500, pg.connect());
  } catch (e) {
    const code = (e as { code?: string }).code;
    // A missing database is the probe's own (`postgres`); anything else is said of the variable's URL.
    throw new UnreachableError(postgresProblem(e, code === '3D000' ? connectionString : configured, variable));
  } finally {
    await within(1000, pg.end()).catch(() => undefined);
  }
}

/** One line for a Redis URL that does not work, naming REDIS_URL. */
export function redisProblem(e: unknown, redisUrl: string): string {
  const url = new URL(redisUrl);
  const at = where(url);
  const err = e as { code?: string };
  const message = firstLine(e);
  if (err.code === 'ECONNREFUSED') return `Cannot reach Redis at ${at} (ECONNREFUSED); start it or set REDIS_URL`;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `Cannot reach Redis at ${at} (host ${url.hostname} unknown); set REDIS_URL`;
  if (err.code === 'ETIMEDOUT' || /timeout|timed out/i.test(message)) return `Cannot reach Redis at ${at} (no answer within ${PROBE_TIMEOUT_MS / 1000} s); start it or set REDIS_URL`;
  if (/^NOAUTH/.test(message)) return `Redis at ${at} wants a password and REDIS_URL has none; set REDIS_URL=redis://:<password>@${at}`;
  if (/^WRONGPASS|invalid password|invalid username-password/i.test(message)) return `Redis at ${at} refused the credentials of REDIS_URL (WRONGPASS); set REDIS_URL with the right password`;
  if (/DB index is out of range/i.test(message)) return `Redis at ${at} has no database ${url.pathname.slice(1)} (DB index is out of range); set REDIS_URL with another database number`;
  return `Cannot use Redis at ${at} as REDIS_URL says (${message}); check REDIS_URL`;
}

/**
 * Connects to Redis, selects the URL's database and pings; an UnreachableError naming REDIS_URL when that fails.
 * ioredis reports a refused connection, AUTH or SELECT as an 'error' event and goes on (a refused SELECT even
 * leaves it on database 0), so the first such event is the reason, and a SELECT is sent again to be sure.
 */
export async function probeRedis(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: PROBE_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let first: unknown;
  redis.on('error', (e: unknown) => (first ??= e));
  const db = new URL(redisUrl).pathname.slice(1);
  try {
    await within(PROBE_TIMEOUT_MS + 500, (async () => {
      await redis.connect();
      if (/^\d+$/.test(db)) await redis.select(Number(db));
      await redis.ping();
    })());
    if (first) throw first;
  } catch (e) {
    throw new UnreachableError(redisProblem(first ?? e, redisUrl));
  } finally {
    redis.disconnect();
  }
}

/**
 * Checks, before anything else starts, that the database URL used first and Redis answer: one line naming the
 * variable when they do not. With DB_BOOTSTRAP the migration role connects to `postgres` (its own database may
 * not exist yet). DATABASE_URL is checked by `checkApplicationDatabase` once the bootstrap has made its role.
 */
export async function preflight(config: AppConfig): Promise<void> {
  if (config.DB_BOOTSTRAP || config.DB_RUN_MIGRATIONS) {
    const url = config.MIGRATION_DATABASE_URL;
    const probe = config.DB_BOOTSTRAP ? Object.assign(new URL(url), { pathname: '/postgres' }).toString() : url;
    await probePostgres(probe, 'MIGRATION_DATABASE_URL', url);
  } else {
    await probePostgres(config.DATABASE_URL, 'DATABASE_URL');
  }
  await probeRedis(config.REDIS_URL);
}

/** The application's own connection (DATABASE_URL), checked after the migrations and the bootstrap. */
export async function checkApplicationDatabase(config: AppConfig): Promise<void> {
  if (config.DB_BOOTSTRAP || config.DB_RUN_MIGRATIONS) await probePostgres(config.DATABASE_URL, 'DATABASE_URL');
}

/**
 * A failure while creating the database, migrating or creating the login role (e.g. a migration role without
 * CREATEDB or CREATEROLE) as one line naming MIGRATION_DATABASE_URL; a migration's own error stays as it is.
 */
export function preparationProblem(e: unknown, config: AppConfig): Error {
  const code = (e as { code?: string }).code;
  if (e instanceof UnreachableError || !code || !/^[0-9A-Z]{5}$/.test(code)) return e as Error;
  const url = new URL(config.MIGRATION_DATABASE_URL);
  return new UnreachableError(
    `Preparing the database at ${where(url)} as role "${decodeURIComponent(url.username)}" failed (${code} ${firstLine(e)}); give that role the right, or set MIGRATION_DATABASE_URL (or DB_BOOTSTRAP=false)`,
  );
}
