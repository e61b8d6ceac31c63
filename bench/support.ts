import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { Client } from 'pg';

/** The helpers every benchmark script shares: settings from the environment, an owner connection, cleanup. */

/** A positive integer from the environment, or `fallback` when unset; anything else is an error. */
export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** Runs `work` on a connection of its own to `url` (the database owner's, for CREATE DATABASE and bulk loads). */
export async function owner<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/** Deletes every Redis key starting with `prefix` (a benchmark's own key prefix, with the separator it uses). */
export async function clearRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A TCP port free on loopback now. */
export const freePort = () =>
  new Promise<number>((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });

/**
 * Runs a benchmark's `main`: a failure is printed with its stack and sets the exit code; once everything is
 * closed the process should end by itself, and if a handle lingers it is ended anyway after 5 s.
 */
export function runMain(main: () => Promise<void>): void {
  main()
    .catch((e: unknown) => {
      console.error('bench failed:', e instanceof Error ? (e.stack ?? e.message) : e);
      process.exitCode = 1;
    })
    .finally(() => {
      setTimeout(() => {
        console.warn('warning: open handles kept the process alive after cleanup; exiting');
        process.exit();
      }, 5000).unref();
    });
}
