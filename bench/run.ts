/**
 * `npm run bench`: the case read and the case list at 10,000 and at 1,000,000 cases, through the whole
 * application, against two bare baselines that run exactly the application's SQL (bench/bare.ts); the
 * statements and round trips of each request counted on the wire (bench/pg-wire-counter.ts); the draft
 * agenda and the statistics at their sizes; EXPLAIN (ANALYZE, BUFFERS) of the hot statements at the largest
 * scale. Writes bench/results/<date>.json and the generated part of BENCHMARKS.md.
 *
 *   BENCH_SCALES=10000,1000000   cases per database (each its own database, seeded by bench/seed-scale.ts)
 *   BENCH_ROUNDS=3               throughput rounds; the variants alternate within each round
 *   BENCH_SECONDS=8              seconds per throughput measurement (after one warm-up per variant)
 *   BENCH_CONNECTIONS=32         connections for throughput
 *   BENCH_RATE=100               requests per second for the fixed-rate latency
 *   BENCH_KEEP_DATABASES=1       keep the seeded databases and reuse them next time (seeding 1M takes minutes)
 *
 * The application runs as production runs it: `node dist/src/main.js api`, NODE_ENV=production,
 * LOG_LEVEL=info (its log lines are read and discarded). Needs PostgreSQL (owner role with CREATEDB:
 * BENCH_DATABASE_OWNER_URL, default postgres://postgres@127.0.0.1:5432/postgres) and Redis (REDIS_URL).
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import type { Principal } from '../src/auth/principal';
import { visibleIncidentClassifications } from '../src/cases/case-list.service';
import { caseDetailProjection, casePageStatement } from '../src/cases/case.repository';
import { CaseListItemView } from '../src/cases/case-view';
import { amsterdamDate } from '../src/common/working-days';
import { loadConfig } from '../src/config/app-config';
import { ensureAppLoginRole, runMigrations, withDatabase } from '../src/db/bootstrap';
import { dataSourceOptions } from '../src/db/data-source-options';
import { ENTITIES } from '../src/db/entities';
import { DEMO_PASSWORD, seedDemo } from '../src/db/demo-seed';
import { accessStatement, toAccess, type AccessRow } from '../src/sharing/access.service';
import { categoriesOf } from '../src/sharing/disclosure';
import { recordStatement } from '../src/sharing/processing-log.service';
import { Purpose } from '../src/sharing/purposes';
import { RESOURCES } from '../src/sharing/resources';
import { atFixedRate, type Latency, sequential } from './load';
import { PgWireCounter, type WireCounts } from './pg-wire-counter';
import { type RouteFigure, routeValues, sweepRoutes } from './route-sweep';
import { seedScale } from './seed-scale';
import { clearRedisKeys, freePort, owner, runMain } from './support';

const env = (name: string, fallback: string) => process.env[name] || fallback;
const SCALES = env('BENCH_SCALES', '10000,1000000').split(',').map(Number);
const ROUNDS = Number(env('BENCH_ROUNDS', '3'));
const SECONDS = Number(env('BENCH_SECONDS', '8'));
const CONNECTIONS = Number(env('BENCH_CONNECTIONS', '32'));
const RATE = Number(env('BENCH_RATE', '100'));
const KEEP = process.env.BENCH_KEEP_DATABASES === '1';
const OWNER_URL = env('BENCH_DATABASE_OWNER_URL', 'postgres://postgres@127.0.0.1:5432/postgres');
const REDIS_URL = env('REDIS_URL', 'redis://127.0.0.1:6379');
const ROOT = resolve(__dirname, '..', '..');
const APP_ROLE = 'ketentafel_app';
const CHAIR = 'coa@demo.ketentafel.nl';
const PAGE = 50;
const SECRETS = { JWT_SECRET: randomBytes(32).toString('hex'), PSEUDONYM_KEY: randomBytes(32).toString('hex'), WEBHOOK_SECRET_KEY: randomBytes(32).toString('hex') };

type Variant = 'app' | 'naive' | 'prepared';
const VARIANTS: Variant[] = ['app', 'naive', 'prepared'];
const LABEL: Record<Variant, string> = {
  app: 'whole app (NestJS, Fastify, TypeORM, prepared)',
  naive: 'bare http + pg, same SQL, unnamed statements',
  prepared: 'bare http + pg, same SQL, prepared statements',
};

interface Endpoint {
  name: 'case read' | 'case list';
  paths: string[];
}

interface ScaleResult {
  cases: number;
  seedSeconds: number | null;
  rows: Record<string, number>;
  demoTableCases: number;
  throughput: Record<string, Record<Variant, number[]>>;
  fixedRate: Record<string, Record<Variant, Latency>>;
  oneConnection: Record<string, Record<Variant, Latency>>;
  wire: Record<string, Record<'app' | 'bare', PerRequest>>;
  statistics?: Latency;
  explain?: Record<string, string>;
  routes?: RouteFigure[];
}

interface PerRequest {
  statements: number;
  roundTrips: number;
  unnamedParses: number;
  preparedParses: number;
}

/** Starts a child and resolves when a line of its stdout matches; every other line is read and dropped. */
function child(args: string[], childEnv: Record<string, string>, ready: RegExp, what: string): Promise<{ proc: ChildProcess; line: string }> {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...childEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${what} did not start within 60 s: ${stderr}`)), 60_000);
    let rest = '';
    proc.stdout!.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop()!;
      const line = lines.find((l) => ready.test(l));
      if (line) {
        clearTimeout(timer);
        ok({ proc, line });
      }
    });
    proc.once('exit', (code) => fail(new Error(`${what} exited with ${code}: ${stderr}`)));
  });
}

const stop = (proc: ChildProcess) =>
  new Promise<void>((ok) => {
    if (proc.exitCode !== null) return ok();
    proc.once('exit', () => ok());
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
  });

async function startApp(databaseUrl: string, redisPrefix: string): Promise<{ proc: ChildProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { proc } = await child(
    ['dist/src/main.js', 'api'],
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      ...SECRETS,
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      DB_BOOTSTRAP: 'false',
      DB_RUN_MIGRATIONS: 'false',
      DEMO_SEED: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_BASE_URL: url,
    },
    /listening on/,
    'the application',
  );
  return { proc, url };
}

async function startBare(mode: 'naive' | 'prepared', databaseUrl: string, principal: Principal): Promise<{ proc: ChildProcess; url: string }> {
  const { proc, line } = await child(
    ['dist/bench/bare.js'],
    { BARE_MODE: mode, DATABASE_URL: databaseUrl, BENCH_PRINCIPAL: JSON.stringify(principal), PSEUDONYM_KEY: SECRETS.PSEUDONYM_KEY, BARE_POOL_SIZE: '20' },
    /^listening \d+/,
    `the ${mode} bare handler`,
  );
  return { proc, url: `http://127.0.0.1:${line.split(' ')[1]}` };
}

async function json(url: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(url, init);
  const body = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

/** Requests per second at CONNECTIONS connections, the paths taken in turn. */
async function throughput(url: string, paths: string[], token: string, seconds: number): Promise<{ rps: number; non2xx: number; errors: number; statuses: unknown }> {
  let i = 0;
  const r = await autocannon({
    url,
    headers: { Authorization: `Bearer ${token}` },
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
  return { rps: r.requests.total / seconds, non2xx: r.non2xx, errors: r.errors + r.timeouts, statuses: r.statusCodeStats };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function perRequest(c: WireCounts, n: number): PerRequest {
  return { statements: c.statements / n, roundTrips: c.roundTrips / n, unnamedParses: c.unnamedParses / n, preparedParses: c.preparedParses / n };
}

/** A database with the migrations, the demo and `cases` cases; kept and reused with BENCH_KEEP_DATABASES=1. */
async function prepareDatabase(cases: number): Promise<{ name: string; seedSeconds: number | null; rows: Record<string, number> }> {
  const name = KEEP ? `kt_bench_scale_${cases}` : `kt_bench_${cases}_${randomBytes(3).toString('hex')}`;
  const exists = await owner(OWNER_URL, async (c) => (await c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount === 1);
  const migrationUrl = withDatabase(OWNER_URL, name);
  const config = loadConfig({ NODE_ENV: 'development', DATABASE_URL: withDatabase(OWNER_URL, name, APP_ROLE), MIGRATION_DATABASE_URL: migrationUrl, REDIS_URL });
  const rows = async () =>
    owner(migrationUrl, async (c) => {
      const counts: Record<string, number> = {};
      for (const t of ['case_file', 'subject', 'incident', 'action', 'measure', 'meeting', 'agenda_item', 'processing_log', 'audit_log']) {
        counts[t] = Number((await c.query(`SELECT reltuples::bigint AS n FROM pg_class WHERE relname = $1`, [t])).rows[0]?.n ?? 0);
      }
      return counts;
    });
  if (exists) {
    const ready = await owner(migrationUrl, async (c) => (await c.query(`SELECT count(*)::int AS n FROM case_file`)).rows[0].n >= cases);
    if (ready) {
      await runMigrations(config);
      await ensureAppLoginRole(config);
      console.log(`Reusing ${name}`);
      return { name, seedSeconds: null, rows: await rows() };
    }
    await owner(OWNER_URL, (c) => c.query(`DROP DATABASE ${name} WITH (FORCE)`));
  }
  await owner(OWNER_URL, (c) => c.query(`CREATE DATABASE ${name}`));
  await runMigrations(config);
  await ensureAppLoginRole(config);
  const ds = new DataSource(dataSourceOptions(migrationUrl, { entities: ENTITIES }));
  await ds.initialize();
  await seedDemo(ds, new Date());
  await ds.destroy();
  const started = Date.now();
  await owner(migrationUrl, (c) => seedScale(c, { cases, seed: 1, now: new Date() }));
  const seedSeconds = (Date.now() - started) / 1000;
  console.log(`Seeded ${name} with ${cases.toLocaleString('en')} cases in ${seedSeconds.toFixed(0)} s`);
  return { name, seedSeconds, rows: await rows() };
}

/** EXPLAIN (ANALYZE, BUFFERS) of the hot statements, with the values a request would send. */
async function explainAll(migrationUrl: string, principal: Principal, tableId: string, caseId: string, pseudonymKey: string): Promise<Record<string, string>> {
  return owner(migrationUrl, async (c) => {
    const today = amsterdamDate(new Date());
    const explain = async (text: string, values: unknown[]) =>
      (await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    const out: Record<string, string> = {};
    const read = accessStatement(principal, RESOURCES.case, 'c.id = $1', [caseId], { projection: caseDetailProjection(today) });
    out['case read: access and detail (one statement)'] = await explain(read.text, read.values);
    const tableAccess = accessStatement(principal, RESOURCES.table, 't.id = $1', [tableId]);
    out['case list: access'] = await explain(tableAccess.text, tableAccess.values);
    const [row] = (await c.query(tableAccess.text, tableAccess.values)).rows as AccessRow[];
    const access = toAccess(row);
    const classifications = visibleIncidentClassifications(access.categories);
    const first = casePageStatement(tableId, { incidentClassifications: classifications }, PAGE + 1, today);
    out['case list: first page of 50'] = await explain(first.text, first.values);
    const [deep] = (
      await c.query(
        `SELECT to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, id, n FROM (
           SELECT opened_at, id, count(*) OVER () AS n, row_number() OVER (ORDER BY opened_at DESC, id DESC) AS r FROM case_file WHERE table_id = $1) x
          WHERE r = greatest(1, (n * 0.6)::int)`,
        [tableId],
      )
    ).rows;
    const deepPage = casePageStatement(tableId, { incidentClassifications: classifications, after: { openedAt: deep.at, id: deep.id } }, PAGE + 1, today);
    out[`case list: a page ${Math.round(Number(deep.n) * 0.6).toLocaleString('en')} cases deep (cursor)`] = await explain(deepPage.text, deepPage.values);
    const filtered = casePageStatement(tableId, { statuses: ['active'], incidentClassifications: classifications }, PAGE + 1, today);
    out['case list: filtered on status active'] = await explain(filtered.text, filtered.values);
    for (const field of ['riskLevel', 'nextDueDate', 'lastIncidentAt'] as const) {
      const sorted = casePageStatement(tableId, { incidentClassifications: classifications, sort: { field, descending: true } }, PAGE + 1, today);
      out[`case list: sorted on -${field}`] = await explain(sorted.text, sorted.values);
    }
    const searched = casePageStatement(tableId, { incidentClassifications: classifications, search: { text: 'van', names: true } }, PAGE + 1, today);
    out['case list: searched (q=van, names)'] = await explain(searched.text, searched.values);
    const log = recordStatement(pseudonymKey, { traceId: randomUUID(), principal }, access, {
      operation: 'case.list',
      activityCategory: 'deliberation',
      categories: categoriesOf(CaseListItemView, access.categories),
      subjects: Array.from({ length: PAGE }, (_, i) => ({ subjectId: String(i), vNumber: String(1000000000 + i) })),
      purpose: Purpose.CasePreparation,
      startedAt: new Date(),
    }, randomUUID(), new Date());
    await c.query('BEGIN');
    try {
      out['both logs, one INSERT for a page of 50 (rolled back)'] = await explain(log.text, log.values);
    } finally {
      await c.query('ROLLBACK');
    }
    return out;
  });
}

async function measureScale(cases: number): Promise<ScaleResult> {
  const { name, seedSeconds, rows } = await prepareDatabase(cases);
  const migrationUrl = withDatabase(OWNER_URL, name);
  const appUrl = withDatabase(OWNER_URL, name, APP_ROLE);
  const redisPrefix = `ktb-${randomBytes(6).toString('hex')}`;
  const children: ChildProcess[] = [];
  const counter = new PgWireCounter({ host: new URL(OWNER_URL).hostname, port: Number(new URL(OWNER_URL).port || 5432) });
  try {
    const { tableId, principal, caseIds, demoTableCases } = await owner(migrationUrl, async (c) => {
      const [t] = (
        await c.query(
          `SELECT t.id, u.id AS user_id, u.organisation_id, o.type, (SELECT count(*)::int FROM case_file WHERE table_id = t.id) AS n
             FROM chain_table t, app_user u JOIN organisation o ON o.id = u.organisation_id WHERE t.name = 'LKO Harderwijk' AND u.email = $1`,
          [CHAIR],
        )
      ).rows;
      // 500 cases of the table spread over its whole history, so that reads are not all of one hot page.
      const ids = (await c.query(`SELECT id FROM case_file WHERE table_id = $1 AND erased_at IS NULL ORDER BY md5(id::text) LIMIT 500`, [t.id])).rows.map((r) => r.id as string);
      const p: Principal = { kind: 'user', id: t.user_id, organisationId: t.organisation_id, organisationType: t.type, roles: [], scopes: [] };
      return { tableId: t.id as string, principal: p, caseIds: ids, demoTableCases: t.n as number };
    });
    const app = await startApp(appUrl, redisPrefix);
    children.push(app.proc);
    const naive = await startBare('naive', appUrl, principal);
    children.push(naive.proc);
    const prepared = await startBare('prepared', appUrl, principal);
    children.push(prepared.proc);
    const urls: Record<Variant, string> = { app: app.url, naive: naive.url, prepared: prepared.url };
    const { accessToken: token } = (await json(`${app.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: CHAIR, password: DEMO_PASSWORD }),
    })) as { accessToken: string };
    const auth = { Authorization: `Bearer ${token}` };
    const endpoints: Endpoint[] = [
      { name: 'case read', paths: caseIds.map((id) => `/api/v1/cases/${id}`) },
      { name: 'case list', paths: [`/api/v1/tables/${tableId}/cases?limit=${PAGE}`] },
    ];

    // The three must answer the same documents before their speed is compared.
    for (const e of endpoints) {
      const bodies = await Promise.all(VARIANTS.map((v) => json(urls[v] + e.paths[0], { headers: auth })));
      const [a, ...others] = bodies.map((b) => JSON.stringify(b));
      if (others.some((o) => o !== a)) throw new Error(`${e.name}: the variants answer differently:\n${bodies.map((b) => JSON.stringify(b).slice(0, 400)).join('\n')}`);
    }

    const result: ScaleResult = { cases, seedSeconds, rows, demoTableCases, throughput: {}, fixedRate: {}, oneConnection: {}, wire: {} };
    for (const e of endpoints) {
      result.throughput[e.name] = { app: [], naive: [], prepared: [] };
      for (const v of VARIANTS) await throughput(urls[v], e.paths, token, 3); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        // Each round in another order, so that no variant always runs first or last.
        const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
        for (const v of order) {
          const r = await throughput(urls[v], e.paths, token, SECONDS);
          if (r.non2xx || r.errors) console.warn(`warning: ${e.name} ${v}: ${r.non2xx} non-2xx ${JSON.stringify(r.statuses)}, ${r.errors} errors`);
          result.throughput[e.name][v].push(Math.round(r.rps));
        }
      }
      result.fixedRate[e.name] = {} as Record<Variant, Latency>;
      result.oneConnection[e.name] = {} as Record<Variant, Latency>;
      for (const v of VARIANTS) result.fixedRate[e.name][v] = await atFixedRate(urls[v], e.paths, auth, RATE, SECONDS);
      for (const v of VARIANTS) result.oneConnection[e.name][v] = await sequential(urls[v], e.paths, auth, SECONDS, 2000);
      console.log(`  ${cases.toLocaleString('en')} cases, ${e.name}: ${JSON.stringify(result.throughput[e.name])} req/s; p99 one connection ${VARIANTS.map((v) => `${v} ${result.oneConnection[e.name][v].p99}`).join(', ')} ms`);
    }

    // Statements and round trips, counted on the wire: the app and the naive bare handler through the counter.
    const counterPort = await counter.start();
    const through = new URL(appUrl);
    through.port = String(counterPort);
    const countedApp = await startApp(through.toString(), `${redisPrefix}-c`);
    children.push(countedApp.proc);
    const countedBare = await startBare('naive', through.toString(), principal);
    children.push(countedBare.proc);
    for (const e of endpoints) {
      result.wire[e.name] = {} as Record<'app' | 'bare', PerRequest>;
      for (const [k, url] of [['app', countedApp.url], ['bare', countedBare.url]] as const) {
        await sequential(url, e.paths, auth, 60, 40); // every pool connection prepares its statements
        counter.take();
        const n = 50;
        await sequential(url, e.paths, auth, 60, n);
        result.wire[e.name][k] = perRequest(counter.take(), n);
      }
    }

    if (cases === Math.max(...SCALES)) {
      const tokenOf = async (email: string) =>
        ((await json(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: DEMO_PASSWORD }) })) as { accessToken: string }).accessToken;
      const tokens = { chair: token, privacy: await tokenOf('privacy@demo.ketentafel.nl'), admin: await tokenOf('admin@demo.ketentafel.nl') };
      const values = await owner(migrationUrl, (c) => routeValues(c, tableId));
      result.routes = await sweepRoutes(app.url, countedApp.url, counter, tokens, values, lastQuarter(), Math.min(SECONDS, 3));
    }

    result.statistics = await sequential(app.url, [`/api/v1/tables/${tableId}/statistics?quarter=${lastQuarter()}`], auth, SECONDS, 200);
    if (cases === Math.max(...SCALES)) result.explain = await explainAll(migrationUrl, principal, tableId, caseIds[0], SECRETS.PSEUDONYM_KEY);
    return result;
  } finally {
    for (const p of children) await stop(p);
    await counter.stop();
    await clearRedisKeys(REDIS_URL, redisPrefix);
    if (!KEEP) await owner(OWNER_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

function lastQuarter(): string {
  const [y, m] = amsterdamDate(new Date()).split('-').map(Number);
  const q = Math.floor((m - 1) / 3) + 1;
  return q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}`;
}

// ---- report -------------------------------------------------------------------------------------------

const fmt = (n: number, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });

function report(results: ScaleResult[], meta: Record<string, unknown>): string {
  const out: string[] = [];
  out.push(`Run of ${meta.date}: Node ${process.version}, ${meta.cpus} × ${meta.cpu}, ${fmt(Number(meta.memoryGiB))} GiB; ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s, fixed rate ${RATE} req/s; 1-minute load average before ${meta.loadBefore}, after ${meta.loadAfter}.`);
  out.push('');
  out.push('### Throughput at ' + CONNECTIONS + ' connections (req/s: median of the rounds, and the range)');
  out.push('');
  out.push('| cases | request | ' + VARIANTS.map((v) => LABEL[v]).join(' | ') + ' | app / naive | app / prepared |');
  out.push('|---:|---|' + VARIANTS.map(() => '---:').join('|') + '|---:|---:|');
  for (const r of results) {
    for (const [name, by] of Object.entries(r.throughput)) {
      const m = Object.fromEntries(VARIANTS.map((v) => [v, median(by[v])])) as Record<Variant, number>;
      out.push(
        `| ${fmt(r.cases)} | ${name} | ${VARIANTS.map((v) => `${fmt(m[v])} (${fmt(Math.min(...by[v]))}–${fmt(Math.max(...by[v]))})`).join(' | ')} | ${(m.app / m.naive).toFixed(2)} | ${(m.app / m.prepared).toFixed(2)} |`,
      );
    }
  }
  for (const [title, key] of [[`Latency at a fixed ${RATE} req/s (ms)`, 'fixedRate'], ['Latency at one connection (ms)', 'oneConnection']] as const) {
    out.push('', `### ${title}`, '', '| cases | request | variant | requests | p50 | p95 | p99 | max |', '|---:|---|---|---:|---:|---:|---:|---:|');
    for (const r of results) {
      for (const [name, by] of Object.entries(r[key])) {
        for (const v of VARIANTS) {
          const l = by[v];
          out.push(`| ${fmt(r.cases)} | ${name} | ${v} | ${fmt(l.requests)} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.max} |`);
        }
      }
    }
  }
  out.push('', '### Statements and round trips per request (counted on the wire, mean of 50 requests after warm-up)', '');
  out.push('| cases | request | variant | statements | round trips | unnamed parses | prepared parses |', '|---:|---|---|---:|---:|---:|---:|');
  for (const r of results) {
    for (const [name, by] of Object.entries(r.wire)) {
      for (const [k, c] of Object.entries(by)) out.push(`| ${fmt(r.cases)} | ${name} | ${k} | ${fmt(c.statements, 2)} | ${fmt(c.roundTrips, 2)} | ${fmt(c.unnamedParses, 2)} | ${fmt(c.preparedParses, 2)} |`);
    }
  }
  out.push('', '### Statistics of the demo table for the last complete quarter, one connection (ms)', '', '| cases | requests | p50 | p95 | p99 |', '|---:|---:|---:|---:|---:|');
  for (const r of results) if (r.statistics) out.push(`| ${fmt(r.cases)} | ${r.statistics.requests} | ${r.statistics.p50} | ${r.statistics.p95} | ${r.statistics.p99} |`);
  out.push('', '### Data', '', '| cases | seeded in (s) | cases at the demo table | rows (planner estimate) |', '|---:|---:|---:|---|');
  for (const r of results) out.push(`| ${fmt(r.cases)} | ${r.seedSeconds === null ? 'reused' : fmt(r.seedSeconds)} | ${fmt(r.demoTableCases)} | ${Object.entries(r.rows).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')} |`);
  const swept = results.find((r) => r.routes);
  if (swept?.routes) {
    out.push('', `### Every GET route at ${fmt(swept.cases)} cases, one connection (ms; statements and round trips per request on the wire)`, '');
    out.push('| route | as | status | requests | p50 | p95 | p99 | statements | round trips | note |', '|---|---|---|---:|---:|---:|---:|---:|---:|---|');
    for (const f of swept.routes) {
      const l = f.latency;
      out.push(`| \`${f.route}\` | ${f.as} | ${f.status} | ${l ? fmt(l.requests) : ''} | ${l?.p50 ?? ''} | ${l?.p95 ?? ''} | ${l?.p99 ?? ''} | ${f.statements === undefined ? '' : fmt(f.statements, 1)} | ${f.roundTrips === undefined ? '' : fmt(f.roundTrips, 1)} | ${f.note ?? ''} |`);
    }
  }
  const largest = results.find((r) => r.explain);
  if (largest?.explain) {
    out.push('', `### EXPLAIN (ANALYZE, BUFFERS) at ${fmt(largest.cases)} cases`);
    for (const [title, plan] of Object.entries(largest.explain)) out.push('', `#### ${title}`, '', '```', plan, '```');
  }
  return out.join('\n');
}

const BEGIN = '<!-- bench:begin (generated by npm run bench; everything up to bench:end is replaced on each run) -->';
const END = '<!-- bench:end -->';

async function main(): Promise<void> {
  const loadBefore = loadavg()[0].toFixed(2);
  const results: ScaleResult[] = [];
  for (const cases of SCALES) results.push(await measureScale(cases));
  const date = new Date().toISOString();
  const meta = { date, cpus: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: totalmem() / 2 ** 30, loadBefore, loadAfter: loadavg()[0].toFixed(2), node: process.version, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, rate: RATE };
  const dir = resolve(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `${date.slice(0, 19).replace(/:/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ meta, results }, null, 2) + '\n');
  const markdown = report(results, meta);
  const benchmarks = resolve(ROOT, 'BENCHMARKS.md');
  const current = existsSync(benchmarks) ? readFileSync(benchmarks, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const [head, rest] = current.includes(BEGIN) ? [current.slice(0, current.indexOf(BEGIN)), current.slice(current.indexOf(END) + END.length)] : [current + '\n', '\n'];
  writeFileSync(benchmarks, `${head}${BEGIN}\n\n${markdown}\n\n${END}${rest}`);
  console.log(markdown);
  console.log(`\nWrote ${file} and BENCHMARKS.md`);
}

runMain(main);
