import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { AppConfig } from '../../src/config/app-config';

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
