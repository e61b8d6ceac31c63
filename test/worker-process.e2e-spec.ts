import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { QUEUES } from '../src/jobs/queues';
import { OwnRedis } from './support/own-redis';
import { createTestDatabase, TestDatabase } from './support/test-database';

/**
 * Runs `src/main.ts worker` in a process of its own, as production does, with the TypeScript compiled on
 * the fly by SWC (the same options as Jest's): the signal handling of main.ts is what is under test.
 */
const BOOT = `
const { transformSync } = require('@swc/core');
const { readFileSync } = require('node:fs');
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2023', keepClassNames: true },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
process.argv = [process.argv[0], 'src/main.ts', 'worker'];
require('./src/main.ts');
`;

interface Output {
  lines: string[];
  waitFor(match: (line: string) => boolean, ms: number): Promise<void>;
}

function capture(child: ChildProcess): Output {
  const lines: string[] = [];
  const waiting: { match: (line: string) => boolean; done: () => void }[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (const line of parts.filter((l) => l.trim())) {
        lines.push(line);
        for (const w of waiting.filter((w) => w.match(line))) w.done();
      }
    });
  }
  return {
    lines,
    waitFor: (match, ms) =>
      new Promise<void>((ok, fail) => {
        if (lines.some(match)) return ok();
        const timer = setTimeout(() => fail(new Error(`no such line within ${ms} ms; got:\n${lines.join('\n')}`)), ms);
        waiting.push({ match, done: () => (clearTimeout(timer), ok()) });
      }),
  };
}

const message = (line: string): string | undefined => {
  try {
    return (JSON.parse(line) as { msg?: string }).msg;
  } catch {
    return undefined;
  }
};

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
    const c = db.config;
    child = spawn(process.execPath, ['-e', BOOT], {
      cwd: resolve(__dirname, '..'),
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'development', // `test` silences the logger, and the log is under test
        LOG_LEVEL: 'info',
        DATABASE_URL: c.DATABASE_URL,
        MIGRATION_DATABASE_URL: c.MIGRATION_DATABASE_URL,
        DB_BOOTSTRAP: 'false',
        DB_RUN_MIGRATIONS: 'false',
        REDIS_URL: redis.url,
        REDIS_PREFIX: c.REDIS_PREFIX,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = capture(child);
    const exited = new Promise<number | null>((ok) => child!.once('exit', (code) => ok(code)));
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
