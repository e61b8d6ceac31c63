import { ChildProcess } from 'node:child_process';
import { QUEUES } from '../src/jobs/queues';
import { OwnRedis } from './support/own-redis';
import { message, spawnApp } from './support/processes';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** Runs `src/main.ts worker` in a process of its own, as production does: the signal handling of main.ts is what is under test. */
describe('worker process (spawned)', () => {
  let redis: OwnRedis;
  let db: TestDatabase;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    redis = await OwnRedis.start();
    db = await createTestDatabase({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    try {
      await db.drop();
    } finally {
      await redis.stop();
    }
  });

  it('logs Redis connection errors as rate-limited JSON lines, and exits within 10 s of SIGTERM with Redis down', async () => {
    const spawned = spawnApp(db.config, 'worker');
    child = spawned.child;
    const { output, exited } = spawned;
    await output.waitFor((l) => message(l) === 'Ketentafel worker started', 25_000);

    await redis.stop();
    await output.waitFor((l) => /cannot reach Redis/.test(message(l) ?? ''), 5000);
    await new Promise((r) => setTimeout(r, 1500)); // several reconnect attempts of every connection

    const signalled = Date.now();
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), 10_000))]);
    expect(code).not.toBe('timeout');
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(code).toBe(0);

    // Every line is one JSON object: no raw stack traces outside the structured log.
    expect(output.lines.filter((l) => message(l) === undefined)).toEqual([]);
    // One warning per queue, worker (one per queue) and client in the first 30 s, not one per reconnect attempt.
    const warnings = output.lines.filter((l) => /cannot reach Redis/.test(message(l) ?? ''));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThanOrEqual(2 * QUEUES.length + 1);
    expect(output.lines.some((l) => message(l) === 'shutting down')).toBe(true);
  }, 45_000);
});
