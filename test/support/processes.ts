import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { AppConfig } from '../../src/config/app-config';
import { DEMO_PASSWORD } from '../../src/db/demo-seed';

/**
 * Runs `src/main.ts <role>` in a process of its own, as production does, with the TypeScript compiled on the
 * fly by SWC (the same options as Jest's). `prelude` runs first, inside the child (e.g. to shorten timers).
 */
const boot = (role: string, prelude: string) => `
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
${prelude}
process.argv = [process.argv[0], 'src/main.ts', ${JSON.stringify(role)}];
require('./src/main.ts');
`;

export interface Output {
  lines: string[];
  waitFor(match: (line: string) => boolean, ms: number): Promise<void>;
}

/** Every line the child writes, and a way to wait for one. */
export function capture(child: ChildProcess): Output {
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

/** The `msg` of a JSON log line, or undefined for a line that is not one. */
export const message = (line: string): string | undefined => {
  try {
    return (JSON.parse(line) as { msg?: string }).msg;
  } catch {
    return undefined;
  }
};

export interface AppProcess {
  child: ChildProcess;
  output: Output;
  exited: Promise<number | null>;
}

/**
 * Spawns the application in `role` against the test database and Redis of `config` (migrated already), with
 * only the environment given here: nothing of the test runner's leaks in.
 */
export function spawnApp(config: AppConfig, role: 'api' | 'worker' | 'all', env: Record<string, string> = {}, prelude = ''): AppProcess {
  const child = spawn(process.execPath, ['-e', boot(role, prelude)], {
    cwd: resolve(__dirname, '..', '..'),
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development', // `test` silences the logger
      LOG_LEVEL: 'info',
      DATABASE_URL: config.DATABASE_URL,
      MIGRATION_DATABASE_URL: config.MIGRATION_DATABASE_URL,
      DB_BOOTSTRAP: 'false',
      DB_RUN_MIGRATIONS: 'false',
      DEMO_SEED: 'false',
      REDIS_URL: config.REDIS_URL,
      REDIS_PREFIX: config.REDIS_PREFIX,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = capture(child);
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, output, exited };
}

/** A TCP port free on loopback now (for a spawned API to listen on). */
export const freePort = () =>
  new Promise<number>((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });

/** Polls `check` every 250 ms until it holds; throws naming `what` once `ms` have passed. */
export async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Waits until the process writes a line that `match`es, failing at once (with its output) if it exits first.
 * A process that does not get ready is killed, so that a failed start leaves nothing running.
 */
async function ready(p: AppProcess, role: string, match: (line: string) => boolean, ms: number): Promise<void> {
  let exitedEarly: ((code: number | null) => void) | undefined;
  const early = new Promise<never>((_, fail) => {
    exitedEarly = (code) => fail(new Error(`${role} exited with ${code} before it was ready:\n${p.output.lines.join('\n')}`));
    p.child.once('exit', exitedEarly);
  });
  try {
    await Promise.race([p.output.waitFor(match, ms), early]);
  } catch (e) {
    p.child.kill('SIGKILL');
    throw e;
  } finally {
    p.child.off('exit', exitedEarly!);
  }
}

/** A spawned `api` process and the origin it listens on. */
export interface ApiProcess extends AppProcess {
  url: string;
}

/**
 * Spawns an `api` process on a free loopback port and waits (at most `ms`) until it listens. `env` is added
 * to spawnApp's environment (e.g. LOG_LEVEL, AUTH_RATE_LIMIT_PER_MINUTE, DB_POOL_SIZE).
 */
export async function startApi(config: AppConfig, env: Record<string, string> = {}, ms = 60_000): Promise<ApiProcess> {
  const port = await freePort();
  const api = spawnApp(config, 'api', { PORT: String(port), HOST: '127.0.0.1', ...env });
  await ready(api, 'api', (l) => l.includes('Ketentafel api listening'), ms);
  return { ...api, url: `http://127.0.0.1:${port}` };
}

/** Spawns a `worker` process and waits (at most `ms`) until it has started its workers and schedulers. */
export async function startWorker(config: AppConfig, env: Record<string, string> = {}, prelude = '', ms = 60_000): Promise<AppProcess> {
  const worker = spawnApp(config, 'worker', env, prelude);
  await ready(worker, 'worker', (l) => message(l) === 'Ketentafel worker started', ms);
  return worker;
}

/** SIGTERM, then SIGKILL if the process has not exited within `ms`; resolves with how it ended. */
export async function stopApp(p: AppProcess, ms = 15_000): Promise<number | null> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.exited;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), ms);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Logs in over HTTP at `base` with the demo password; the access token. */
export async function loginOver(base: string, email: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
    signal: AbortSignal.timeout(30_000),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}
