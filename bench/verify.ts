/**
 * How long a full verification of the logs' hash chains takes at scale, and how much it blocks the event
 * loop, without planner statistics (as on a development server with autovacuum off).
 *
 *   npm run build && node dist/bench/verify.js     # BENCH_VERIFY_ENTRIES=1000000 by default
 *
 * Needs PostgreSQL (owner role with CREATEDB, default postgres://postgres@127.0.0.1:5432/postgres, override
 * with BENCH_DATABASE_OWNER_URL). Creates and drops its own database. Fills the processing log with
 * BENCH_VERIFY_ENTRIES sealed entries and the audit log with a fifth of that (set-based SQL, see
 * log-fill.ts), verifies both from seq 1 as the job does, then once more incrementally after 10,000 new
 * entries, and appends the figures to bench/RESULTS.md.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { ensureAppLoginRole, runMigrations, withDatabase } from '../src/db/bootstrap';
import { dataSourceOptions } from '../src/db/data-source-options';
import { LOGS, LogName } from '../src/sharing/log-seal.service';
import { LogVerification, LogVerificationRepository } from '../src/sharing/log-verification.repository';
import { LogVerifier } from '../src/sharing/log-verifier';
import { fillSealedLog } from './log-fill';

const OWNER_URL = process.env.BENCH_DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ENTRIES = Number(process.env.BENCH_VERIFY_ENTRIES ?? 1_000_000);
const RESULTS_FILE = resolve(__dirname, '..', '..', 'bench', 'RESULTS.md');
const COUNT: Record<LogName, number> = { processing_log: ENTRIES, audit_log: Math.round(ENTRIES / 5) };

async function owner(url: string, work: (c: Client) => Promise<void>): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await work(c);
  } finally {
    await c.end();
  }
}

/** Runs `work` while sampling the event loop's delay; returns its result, seconds taken and the worst delay in ms. */
async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; maxDelayMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = process.hrtime.bigint();
  const result = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  delay.disable();
  return { result, seconds, maxDelayMs: delay.max / 1e6 };
}

async function main(): Promise<void> {
  if (!Number.isInteger(ENTRIES) || ENTRIES < 1000) throw new Error('BENCH_VERIFY_ENTRIES must be an integer of at least 1000');
  const name = `kt_bench_verify_${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    DATABASE_URL: withDatabase(OWNER_URL, name, 'ketentafel_app'),
    MIGRATION_DATABASE_URL: withDatabase(OWNER_URL, name),
  });
  await owner(OWNER_URL, (c) => c.query(`CREATE DATABASE ${name}`).then(() => undefined));
  let ds: DataSource | undefined;
  try {
    await runMigrations(config);
    await ensureAppLoginRole(config);

    const filled = process.hrtime.bigint();
    await owner(config.MIGRATION_DATABASE_URL, async (c) => {
      // No planner statistics at all (autovacuum off, never analyzed): what the verifier must not depend on,
      // and the condition in which the previous verifier re-hashed the whole rest of the log for every batch.
      for (const table of [...LOGS, 'log_seal']) await c.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
      for (const log of LOGS) await fillSealedLog(c, log, COUNT[log]);
    });
    const fillSeconds = Number(process.hrtime.bigint() - filled) / 1e9;
    console.log(`Filled ${COUNT.processing_log} + ${COUNT.audit_log} sealed entries in ${fillSeconds.toFixed(1)} s`);

    ds = new DataSource(dataSourceOptions(config.DATABASE_URL, { entities: [] }));
    await ds.initialize();
    const verifier = new LogVerifier(ds, new LogVerificationRepository(ds));
    const rows: string[] = [];
    const check = (r: LogVerification | null, log: LogName, sealed: number): LogVerification => {
      if (!r || !r.intact || r.sealed !== sealed) throw new Error(`${log}: unexpected result ${JSON.stringify(r)}`);
      return r;
    };
    for (const log of LOGS) {
      const { result, seconds, maxDelayMs } = await timed(() => verifier.run(log, { full: true }));
      check(result, log, COUNT[log]);
      rows.push(`| ${log}, full from seq 1 | ${COUNT[log].toLocaleString('en')} | ${seconds.toFixed(1)} | ${Math.round(COUNT[log] / seconds).toLocaleString('en')} | ${maxDelayMs.toFixed(0)} |`);
      console.log(rows[rows.length - 1]);
    }
    await owner(config.MIGRATION_DATABASE_URL, (c) => fillSealedLog(c, 'processing_log', 10_000));
    const incremental = await timed(() => verifier.run('processing_log'));
    check(incremental.result, 'processing_log', COUNT.processing_log + 10_000);
    rows.push(`| processing_log, incremental after 10,000 new | 10,000 | ${incremental.seconds.toFixed(2)} | ${Math.round(10_000 / incremental.seconds).toLocaleString('en')} | ${incremental.maxDelayMs.toFixed(0)} |`);
    console.log(rows[rows.length - 1]);

    const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const section =
      `\n## ${when}: log verification, Node ${process.version}, nproc ${availableParallelism()}\n\n` +
      `\`node dist/bench/verify.js\` (BENCH_VERIFY_ENTRIES=${ENTRIES}): sealed entries filled set-based in ${fillSeconds.toFixed(0)} s, ` +
      'no planner statistics (autovacuum off on the log tables, never analyzed). "Event-loop delay" is the worst delay ' +
      'of the Node event loop during the run (sampled every 10 ms).\n\n' +
      '| run | seals | seconds | seals/s | event-loop delay, max (ms) |\n|---|---:|---:|---:|---:|\n' +
      rows.join('\n') +
      '\n';
    appendFileSync(RESULTS_FILE, section);
    console.log(`Appended to ${RESULTS_FILE}`);
  } finally {
    await ds?.destroy();
    await owner(OWNER_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined));
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
