/**
 * Throughput of one authenticated single-row read through the whole application, measured in the same
 * run against a bare `node:http` + `pg` handler doing the same query (the ceiling on this machine); and the
 * latency of a quarter's statistics of a table with 100,000 cases, against a bare handler running the
 * application's own statement (STATISTICS_SQL) and disclosure control.
 *
 * The case read and list at scale are bench/run.ts's (`npm run bench`); this is the older single-row read
 * and the statistics against their own bare handlers.
 *
 *   npm run bench:statistics                      # BENCH_SECONDS=10 BENCH_CONNECTIONS=32 by default
 *   BENCH_SCENARIOS=statistics npm run bench:statistics   # organisation and/or statistics (default: both)
 *   BENCH_STATISTICS_CASES=100000 BENCH_STATISTICS_QUARTERS=20  # the statistics load (the default)
 *
 * Needs PostgreSQL (owner role with CREATEDB, default postgres://postgres@127.0.0.1:5432/postgres, override
 * with BENCH_DATABASE_OWNER_URL) and Redis (REDIS_URL, default redis://127.0.0.1:6379). Creates and drops
 * its own database and uses its own Redis key prefix. Prints a markdown table and appends it to
 * bench/RESULTS.md.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../src/app.factory';
import { MEASURE_TYPE_CODES } from '../src/cases/measure-catalogue';
import { amsterdamDate } from '../src/common/working-days';
import { parseQuarter, type Quarter, quarterContaining, quarterOf } from '../src/statistics/quarter';
import { municipalityFigures } from '../src/statistics/statistics-report';
import { statisticsBody } from '../src/statistics/statistics-view';
import { STATISTICS_SETTINGS, STATISTICS_SQL, statisticsParams, type StatisticsRow } from '../src/statistics/statistics.sql';
import { STATISTICS_CATEGORIES, STATISTICS_PURPOSE } from '../src/statistics/statistics.service';
import { seedStatisticsLoad } from './statistics-seed';
import { Clock } from '../src/common/clock';
import { AppConfig, loadConfig } from '../src/config/app-config';
import { ensureAppLoginRole, runMigrations, withDatabase } from '../src/db/bootstrap';
import { DEMO_PASSWORD, seedDemo } from '../src/db/demo-seed';
import { clearRedisKeys, owner as asOwner, positiveInt, runMain } from './support';

const SECONDS = positiveInt('BENCH_SECONDS', 10);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 32);
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? 'organisation,statistics').split(',').map((x) => x.trim()));
const STATISTICS_CASES = positiveInt('BENCH_STATISTICS_CASES', 100_000);
const STATISTICS_QUARTERS = positiveInt('BENCH_STATISTICS_QUARTERS', 20);
const WARMUP_SECONDS = Math.min(3, SECONDS);
const OWNER_URL = process.env.BENCH_DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const APP_ROLE = 'ketentafel_app';
const DEMO_EMAIL = 'coa@demo.ketentafel.nl';
const RESULTS_FILE = resolve(__dirname, '..', '..', 'bench', 'RESULTS.md');
const ORGANISATION_SQL = 'SELECT id, type, name, municipality_code, active FROM organisation WHERE id = $1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The least a table's statistics must do, with no framework: find the municipality's tables, run the
 * application's statement and write an audit entry per table in one transaction, then the same disclosure
 * control and the same JSON. No access check (the app resolves membership first) beyond a bearer header.
 */
async function bareStatistics(pool: Pool, tableId: string, quarter: Quarter): Promise<unknown | undefined> {
  const client = await pool.connect();
  try {
    const tables: { id: string; name: string; municipality_code: string }[] = (
      await client.query(
        `SELECT o.id, o.name, o.municipality_code FROM chain_table t JOIN chain_table o ON o.municipality_code = t.municipality_code WHERE t.id = $1 ORDER BY o.name, o.id`,
        [tableId],
      )
    ).rows;
    const self = tables.find((x) => x.id === tableId);
    if (!self) return undefined;
    const ids = tables.map((x) => x.id);
    const asOf = new Date();
    await client.query('BEGIN');
    await client.query(STATISTICS_SETTINGS);
    const rows = (await client.query(STATISTICS_SQL, statisticsParams(ids, quarter.from, quarter.until, asOf, MEASURE_TYPE_CODES))).rows as StatisticsRow[];
    for (const id of ids) {
      await client.query(
        `INSERT INTO audit_log (trace_id, operation_id, actor_kind, action, result, categories, purpose, table_id, occurred_at)
         VALUES ($1, $2, 'user', 'statistics.read', 'allowed', $3, $4, $5, $6)`,
        [randomUUID(), randomUUID(), STATISTICS_CATEGORIES, STATISTICS_PURPOSE, id, asOf],
      );
    }
    await client.query('COMMIT');
    const figures = municipalityFigures(rows, ids);
    return statisticsBody('table', self.municipality_code, [self], quarter, asOf, figures.tables.get(tableId)!);
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** The baseline: the same query and the same JSON, with only a presence check of the bearer header. */
function bareServer(pool: Pool): Server {
  const prefix = '/api/v1/organisations/';
  return createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const json = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
      res.end(json);
    };
    const statistics = /^\/api\/v1\/tables\/([0-9a-f-]{36})\/statistics\?quarter=(\d{4}-Q[1-4])$/.exec(req.url ?? '');
    if (statistics) {
      const quarter = parseQuarter(statistics[2]);
      if (!UUID.test(statistics[1]) || !quarter || !req.headers.authorization?.startsWith('Bearer ')) return send(404, { status: 404, title: 'Not Found' });
      bareStatistics(pool, statistics[1], quarter).then(
        (body) => (body ? send(200, body) : send(404, { status: 404, title: 'Not Found' })),
        () => send(500, { status: 500, title: 'Internal Server Error' }),
      );
      return;
    }
    const id = req.url?.startsWith(prefix) ? req.url.slice(prefix.length) : '';
    if (req.method !== 'GET' || !UUID.test(id)) return send(404, { status: 404, title: 'Not Found' });
    if (!req.headers.authorization?.startsWith('Bearer ')) return send(401, { status: 401, title: 'Unauthorized' });
    pool.query(ORGANISATION_SQL, [id]).then(
      ({ rows }) => {
        const o = rows[0];
        if (!o) return send(404, { status: 404, title: 'Not Found' });
        send(200, { id: o.id, type: o.type, name: o.name, municipalityCode: o.municipality_code, active: o.active });
      },
      () => send(500, { status: 500, title: 'Internal Server Error' }),
    );
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function getJson(url: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(url, init);
  const body = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

/** Load from a worker thread, so that the load generator does not share the servers' event loop. */
async function load(title: string, url: string, token: string, connections = CONNECTIONS): Promise<autocannon.Result> {
  const options: autocannon.Options = { url, headers: { Authorization: `Bearer ${token}` }, connections, workers: 1, timeout: 10 };
  await autocannon({ ...options, title: `${title} (warm-up)`, duration: WARMUP_SECONDS });
  const result = await autocannon({ ...options, title, duration: SECONDS });
  process.stdout.write(`  ${title}: ${Math.round(result.requests.mean)} req/s, p99 ${result.latency.p99} ms, ${result.non2xx} non-2xx\n`);
  return result;
}

function table(rows: { variant: string; result: autocannon.Result }[], bare: autocannon.Result): string {
  const lines = [
    '| variant | req/s (mean) | p50 (ms) | p99 (ms) | non-2xx | errors | share of bare |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { variant, result: r } of rows) {
    const share = bare.requests.mean > 0 ? (r.requests.mean / bare.requests.mean).toFixed(2) : 'n/a';
    lines.push(`| ${variant} | ${Math.round(r.requests.mean)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx} | ${r.errors + r.timeouts} | ${share} |`);
  }
  return lines.join('\n');
}

const RESULTS_HEADER = `# Benchmark results

Throughput of one authenticated single-row read, \`GET /api/v1/organisations/:id\` with a bearer token,
through the whole application as \`createHttpApp\` builds it (NestJS + Fastify, \`api\` process role: JWT
verification with revocation check, permission guard, TypeORM \`findOneBy\`, security headers, metrics), compared
in the same run with a bare \`node:http\` + \`pg.Pool\` handler that runs the same query as the application's
database role with the same pool size, returns the same JSON and only checks that a bearer header is present.
Load comes from autocannon in a worker thread, after a short warm-up of each variant; "share of bare" is
the application's mean req/s divided by the bare handler's. Count non-2xx: a 401 or 429 looks very fast.
On a small machine the load generator, Node and PostgreSQL share the cores: expect runs to differ by
10-25 %, and compare the share of bare rather than absolute req/s between machines.

Reproduce, with PostgreSQL and Redis on 127.0.0.1 (e.g. \`docker compose up -d\`): \`npm run bench\`
(\`BENCH_SECONDS\`, default 10, and \`BENCH_CONNECTIONS\`, default 32, change the load; with docker-compose.yml
also set \`BENCH_DATABASE_OWNER_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres\`).
Each run appends a section below.
`;

/** The quarter before the one `now` is in: the last complete one. */
function lastCompleteQuarter(now: Date): Quarter {
  const current = quarterContaining(amsterdamDate(now));
  return current.quarter === 1 ? quarterOf(current.year - 1, 4) : quarterOf(current.year, (current.quarter - 1) as 1 | 2 | 3 | 4);
}

/** Latency at one connection: the mean and percentiles of a statistics request, whole app and bare. */
function latencyTable(rows: { variant: string; result: autocannon.Result }[]): string {
  const lines = ['| variant | requests | mean (ms) | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | non-2xx |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const { variant, result: r } of rows) {
    lines.push(`| ${variant} | ${r.requests.total} | ${r.latency.mean.toFixed(0)} | ${r.latency.p50} | ${r.latency.p90} | ${r.latency.p99} | ${r.latency.max} | ${r.non2xx} |`);
  }
  return lines.join('\n');
}

/**
 * The statistics of the demo table (LKO Harderwijk) for the last complete quarter, after loading it with
 * BENCH_STATISTICS_CASES cases over BENCH_STATISTICS_QUARTERS quarters (and incidents, measures, actions,
 * escalations in proportion; see statistics-seed.ts). Measured at one connection, as latency, once as loaded
 * (no ANALYZE: autovacuum may be off, and the plan must not depend on fresh statistics) and once after VACUUM
 * ANALYZE (as autovacuum leaves a table).
 */
async function statisticsScenario(
  config: AppConfig,
  pool: Pool,
  appUrl: string,
  bareUrl: string,
  token: string,
): Promise<{ markdown: string; results: [string, autocannon.Result][] }> {
  const owner = new Client({ connectionString: config.MIGRATION_DATABASE_URL });
  await owner.connect();
  try {
    const [demo] = (await owner.query(`SELECT t.id, o.id AS organisation_id FROM chain_table t, organisation o WHERE t.name = 'LKO Harderwijk' AND o.name = 'COA azc Harderwijk'`)).rows;
    const [other] = (
      await owner.query(
        `INSERT INTO chain_table (name, coa_location, municipality_code, cadence_rrule, case_reference_prefix)
         VALUES ('LKO Bench elders', 'azc Elders', 'GM0363', 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0', 'ELD') RETURNING id`,
      )
    ).rows;
    const started = Date.now();
    const now = new Date();
    const counts = await seedStatisticsLoad(owner, { tableId: demo.id, otherTableId: other.id, organisationId: demo.organisation_id, cases: STATISTICS_CASES, quarters: STATISTICS_QUARTERS, now });
    const loadSeconds = (Date.now() - started) / 1000;
    const quarter = lastCompleteQuarter(now);
    const path = `/api/v1/tables/${demo.id}/statistics?quarter=${quarter.code}`;
    const [inQuarter] = (
      await owner.query(
        `SELECT (SELECT count(*) FROM case_file WHERE table_id = $1 AND opened_at >= ($2::date)::timestamp AT TIME ZONE 'Europe/Amsterdam' AND opened_at < ($3::date)::timestamp AT TIME ZONE 'Europe/Amsterdam')::int AS opened,
                (SELECT count(*) FROM incident WHERE table_id = $1 AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'Europe/Amsterdam' AND occurred_at < ($3::date)::timestamp AT TIME ZONE 'Europe/Amsterdam')::int AS incidents,
                (SELECT count(*) FROM measure WHERE table_id = $1 AND starts_at >= ($2::date)::timestamp AT TIME ZONE 'Europe/Amsterdam' AND starts_at < ($3::date)::timestamp AT TIME ZONE 'Europe/Amsterdam')::int AS measures,
                (SELECT count(*) FROM action WHERE table_id = $1 AND due_date >= $2::date AND due_date < $3::date)::int AS actions,
                (SELECT count(*) FROM escalation WHERE table_id = $1 AND requested_at >= ($2::date)::timestamp AT TIME ZONE 'Europe/Amsterdam' AND requested_at < ($3::date)::timestamp AT TIME ZONE 'Europe/Amsterdam')::int AS escalations`,
        [demo.id, quarter.from, quarter.until],
      )
    ).rows;
    console.log(`Statistics load: ${JSON.stringify(counts)} in ${loadSeconds.toFixed(0)} s; ${quarter.code}: ${JSON.stringify(inQuarter)}`);

    const measure = async (state: string) => {
      // Both variants must answer the same figures (the reference instant aside) before their speed is compared.
      const [fromApp, fromBare] = (await Promise.all([appUrl, bareUrl].map((base) => getJson(base + path, { headers: { Authorization: `Bearer ${token}` } })))) as {
        period: { asOf?: string };
      }[];
      for (const body of [fromApp, fromBare]) delete body.period.asOf;
      if (JSON.stringify(fromApp) !== JSON.stringify(fromBare)) throw new Error(`the statistics differ: app ${JSON.stringify(fromApp)}, bare ${JSON.stringify(fromBare)}`);
      const bare = await load(`bare statistics (${state})`, bareUrl + path, token, 1);
      const app = await load(`Ketentafel statistics (${state})`, appUrl + path, token, 1);
      return { bare, app };
    };
    const loadBefore = loadavg()[0];
    const loaded = await measure('as loaded');
    // What autovacuum does in production: planner statistics, and a visibility map for index-only scans.
    await owner.query('VACUUM ANALYZE');
    const analyzed = await measure('after VACUUM ANALYZE');
    const loadAfter = loadavg()[0];
    const markdown =
      `Statistics: \`GET ${path.replace(demo.id, ':id')}\` as the chair of the demo table, after loading it with ` +
      `${STATISTICS_CASES.toLocaleString('en')} cases opened evenly over ${STATISTICS_QUARTERS} quarters (rows: ${Object.entries(counts)
        .map(([k, v]) => `${k} ${v.toLocaleString('en')}`)
        .join(', ')}; loaded in ${loadSeconds.toFixed(0)} s). In ${quarter.code}: ${Object.entries(inQuarter)
        .map(([k, v]) => `${k} ${(v as number).toLocaleString('en')}`)
        .join(', ')}. One connection, ${SECONDS} s each after a warm-up: the latency of one request. The bare handler runs the same ` +
      'statement (STATISTICS_SQL, same settings), the audit insert and the same disclosure control and JSON, without access ' +
      'resolution. "As loaded": no ANALYZE or VACUUM since the load (autovacuum is off on this server); then after VACUUM ANALYZE, ' +
      'as autovacuum would leave it (planner statistics, and a visibility map for index-only scans). The machine\'s 1-minute load ' +
      `average was ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after (on ${availableParallelism()} cores; other work shares them).\n\n` +
      latencyTable([
        { variant: 'whole app, as loaded', result: loaded.app },
        { variant: 'bare, as loaded', result: loaded.bare },
        { variant: 'whole app, after VACUUM ANALYZE', result: analyzed.app },
        { variant: 'bare, after VACUUM ANALYZE', result: analyzed.bare },
      ]);
    return {
      markdown,
      results: [
        ['app statistics (as loaded)', loaded.app],
        ['bare statistics (as loaded)', loaded.bare],
        ['app statistics (after VACUUM ANALYZE)', analyzed.app],
        ['bare statistics (after VACUUM ANALYZE)', analyzed.bare],
      ],
    };
  } finally {
    await owner.end();
  }
}

async function main(): Promise<void> {
  const name = `kt_bench_${randomBytes(4).toString('hex')}`;
  const redisPrefix = `kt-bench-${name}`;
  const config: AppConfig = loadConfig({
    ...process.env,
    NODE_ENV: 'development', // not `test`: that silences pino by another path; production would refuse dev secrets
    LOG_LEVEL: 'silent',
    DATABASE_URL: withDatabase(OWNER_URL, name, APP_ROLE),
    MIGRATION_DATABASE_URL: withDatabase(OWNER_URL, name),
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    DB_BOOTSTRAP: 'false', // done here, step by step, on a database of our own
    DB_RUN_MIGRATIONS: 'false',
    DEMO_SEED: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
  });

  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch((e: unknown) => console.error('cleanup:', e instanceof Error ? e.message : e));
  };
  try {
    const started = Date.now();
    await asOwner(OWNER_URL, (c) => c.query(`CREATE DATABASE ${name}`));
    cleanups.push(() => asOwner(OWNER_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));
    cleanups.push(() => clearRedisKeys(REDIS_URL, `${redisPrefix}:`));
    await runMigrations(config);
    await ensureAppLoginRole(config);

    const app = await createHttpApp(config, 'api');
    cleanups.push(() => app.close());
    await seedDemo(app.get(DataSource), app.get(Clock).now());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const appUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

    const pool = new Pool({ connectionString: config.DATABASE_URL, max: config.DB_POOL_SIZE });
    cleanups.push(() => pool.end());
    const bare = bareServer(pool);
    const bareUrl = await listen(bare);
    cleanups.push(() => new Promise((ok) => bare.close(ok)));

    const login = (await getJson(`${appUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD }),
    })) as { accessToken: string };
    const auth = { Authorization: `Bearer ${login.accessToken}` };
    const { items: organisations } = (await getJson(`${appUrl}/api/v1/organisations?limit=100`, { headers: auth })) as { items: { id: string; name: string }[] };
    const org = organisations.find((o) => o.name === 'COA azc Harderwijk') ?? organisations[0];
    if (!org) throw new Error('the demo seed left no organisation');
    const path = `/api/v1/organisations/${org.id}`;

    // Both variants must answer the same document before their speed is compared.
    const [fromApp, fromBare] = await Promise.all([getJson(appUrl + path, { headers: auth }), getJson(bareUrl + path, { headers: auth })]);
    if (JSON.stringify(fromApp) !== JSON.stringify(fromBare)) {
      throw new Error(`the variants answer differently: app ${JSON.stringify(fromApp)}, bare ${JSON.stringify(fromBare)}`);
    }
    console.log(`Set up in ${((Date.now() - started) / 1000).toFixed(1)} s; ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s each; scenarios ${[...SCENARIOS].join(', ')}`);

    const parts: string[] = [];
    const checked: [string, autocannon.Result][] = [];
    if (SCENARIOS.has('organisation')) {
      const bareResult = await load('bare node:http + pg', bareUrl + path, login.accessToken);
      const appResult = await load('Ketentafel (NestJS + Fastify)', appUrl + path, login.accessToken);
      checked.push(['app', appResult], ['bare', bareResult]);
      parts.push(
        table(
          [
            { variant: '`GET /api/v1/organisations/:id`, whole app', result: appResult },
            { variant: 'bare `node:http` + `pg.Pool`, same query', result: bareResult },
          ],
          bareResult,
        ),
      );
    }

    if (SCENARIOS.has('statistics')) {
      const { markdown, results } = await statisticsScenario(config, pool, appUrl, bareUrl, login.accessToken);
      checked.push(...results);
      parts.push(markdown);
    }

    const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const section = `\n## ${when}: Node ${process.version}, nproc ${availableParallelism()}, ${CONNECTIONS} connections, ${SECONDS} s\n\n${parts.join('\n\n')}\n`;
    console.log(section);
    for (const [label, r] of checked) {
      if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
        console.warn(`warning: ${label} had ${r.non2xx} non-2xx responses ${JSON.stringify(r.statusCodeStats)}, ${r.errors} errors, ${r.timeouts} timeouts`);
      }
    }
    if (!existsSync(RESULTS_FILE)) writeFileSync(RESULTS_FILE, RESULTS_HEADER);
    appendFileSync(RESULTS_FILE, section);
    console.log(`Appended to ${RESULTS_FILE}`);
  } finally {
    await cleanup();
  }
}

runMain(main);
