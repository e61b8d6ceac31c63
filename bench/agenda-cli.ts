/**
 * The draft agenda benchmark on its own (issue 11: "draft agenda, 500 active cases / 20k incidents: < 50 ms"):
 * creates a database of its own, migrates it, seeds the demo, loads the demo table (LKO Harderwijk) with
 * BENCH_AGENDA_CASES open cases and BENCH_AGENDA_INCIDENTS incidents (bench/agenda-seed.ts), runs VACUUM
 * ANALYZE (as autovacuum would leave the tables), and measures the chair's draft of the next planned meeting
 * with `agendaScenario` (bench/agenda.ts): latency at one connection and statements per request on the wire.
 * Prints a markdown table and drops the database.
 *
 *   npm run bench:agenda
 *   BENCH_AGENDA_CASES=500 BENCH_AGENDA_INCIDENTS=20000 BENCH_AGENDA_REQUESTS=200  # the defaults
 *   BENCH_KEEP_DATABASE=1 npm run bench:agenda   # keep the database (its name is printed), e.g. for EXPLAIN
 *
 * Needs PostgreSQL (owner role with CREATEDB, default postgres://postgres@127.0.0.1:5432/postgres, override
 * with BENCH_DATABASE_OWNER_URL) and Redis (REDIS_URL, default redis://127.0.0.1:6379).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../src/app.factory';
import { Clock } from '../src/common/clock';
import { AppConfig, loadConfig } from '../src/config/app-config';
import { ensureAppLoginRole, runMigrations, withDatabase } from '../src/db/bootstrap';
import { DEMO_PASSWORD, seedDemo } from '../src/db/demo-seed';
import { agendaScenario } from './agenda';
import { seedAgendaLoad } from './agenda-seed';
import { PgWireCounter } from './pg-wire-counter';
import { clearRedisKeys, owner as asOwner, positiveInt, runMain } from './support';

const OWNER_URL = process.env.BENCH_DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CASES = positiveInt('BENCH_AGENDA_CASES', 500);
const INCIDENTS = positiveInt('BENCH_AGENDA_INCIDENTS', 20_000);
const REQUESTS = positiveInt('BENCH_AGENDA_REQUESTS', 200);
const KEEP = process.env.BENCH_KEEP_DATABASE === '1';

async function listen(app: NestFastifyApplication): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}

async function main(): Promise<void> {
  const name = `kt_bench_agenda_${randomBytes(4).toString('hex')}`;
  const redisPrefix = `kt-bench-${name}`;
  const env = {
    ...process.env,
    NODE_ENV: 'development', // not `test`: that silences pino by another path; production would refuse dev secrets
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', // the production level: the request log is part of a request's cost
    DATABASE_URL: withDatabase(OWNER_URL, name, 'ketentafel_app'),
    MIGRATION_DATABASE_URL: withDatabase(OWNER_URL, name),
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    DB_BOOTSTRAP: 'false',
    DB_RUN_MIGRATIONS: 'false',
    DEMO_SEED: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
  };
  const config: AppConfig = loadConfig(env);
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const started = Date.now();
    await asOwner(OWNER_URL, (c) => c.query(`CREATE DATABASE ${name}`));
    if (KEEP) console.log(`Keeping database ${name}`);
    else cleanups.push(() => asOwner(OWNER_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));
    cleanups.push(() => clearRedisKeys(REDIS_URL, `${redisPrefix}:`));
    await runMigrations(config);
    await ensureAppLoginRole(config);

    const app = await createHttpApp(config, 'api');
    cleanups.push(() => app.close());
    const now = app.get(Clock).now();
    await seedDemo(app.get(DataSource), now);
    const appUrl = await listen(app);

    // A second application whose connections go through the wire counter: it counts, the first one is timed.
    const target = new URL(config.DATABASE_URL);
    const counter = new PgWireCounter({ host: target.hostname, port: Number(target.port || 5432) });
    const counterPort = await counter.start();
    cleanups.push(() => counter.stop());
    target.port = String(counterPort);
    const countedApp = await createHttpApp(loadConfig({ ...env, DATABASE_URL: target.toString() }), 'api');
    cleanups.push(() => countedApp.close());
    const countedUrl = await listen(countedApp);

    const owner = new Client({ connectionString: config.MIGRATION_DATABASE_URL });
    await owner.connect();
    cleanups.push(() => owner.end());
    const [demo] = (
      await owner.query(
        `SELECT t.id, o.id AS organisation_id,
                (SELECT id FROM meeting m WHERE m.table_id = t.id AND m.status = 'planned' ORDER BY m.scheduled_at LIMIT 1) AS meeting_id
           FROM chain_table t, organisation o WHERE t.name = 'LKO Harderwijk' AND o.name = 'COA azc Harderwijk'`,
      )
    ).rows;
    const loadStarted = Date.now();
    const counts = await seedAgendaLoad(owner, { tableId: demo.id, organisationId: demo.organisation_id, activeCases: CASES, incidents: INCIDENTS, now, meetingId: demo.meeting_id });
    await owner.query('VACUUM ANALYZE');
    const rows = Object.entries(counts).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ');
    console.log(`Set up in ${((Date.now() - started) / 1000).toFixed(1)} s (load ${((Date.now() - loadStarted) / 1000).toFixed(1)} s: ${rows})`);

    const login = await fetch(`${appUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'coa@demo.ketentafel.nl', password: DEMO_PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const loadBefore = loadavg()[0];
    const scenario = {
      appUrl,
      token: accessToken,
      meetingId: demo.meeting_id,
      requests: REQUESTS,
      counted: { appUrl: countedUrl, take: () => counter.take() },
      load: `${CASES.toLocaleString('en')} open cases and ${INCIDENTS.toLocaleString('en')} incidents over six months (rows loaded: ${rows}; then VACUUM ANALYZE)`,
    };
    // A first draft: the items taken off before each request (and the table vacuumed, as autovacuum would
    // between two meetings' drafts; autovacuum may be off on a bench server), so every item is inserted.
    const first = await agendaScenario({
      ...scenario,
      variant: 'first draft (every item inserted)',
      before: async () => {
        await owner.query(`DELETE FROM agenda_item WHERE meeting_id = $1`, [demo.meeting_id]);
        await owner.query(`VACUUM agenda_item`);
      },
    });
    // A re-draft of that agenda: the chair drafting again, with nothing or little changed.
    const again = await agendaScenario({ ...scenario, variant: 're-draft (the same meeting drafted again)' });
    const loadAfter = loadavg()[0];
    console.log(
      `\n## ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}: Node ${process.version}, nproc ${availableParallelism()}, ` +
        `1-minute load ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after\n\n${first.markdown}\n\n${again.markdown}\n`,
    );
  } finally {
    for (const step of cleanups.reverse()) await step().catch((e: unknown) => console.error('cleanup:', e instanceof Error ? e.message : e));
  }
}

runMain(main);
