/**
 * Throughput of one authenticated single-row read through the whole application, measured in the same
 * run against a bare `node:http` + `pg` handler doing the same query (the ceiling on this machine).
 *
 *   npm run bench                      # BENCH_SECONDS=10 BENCH_CONNECTIONS=32 by default
 *
 * Needs PostgreSQL (owner role with CREATEDB, default postgres://postgres@127.0.0.1:5432/postgres, override
 * with BENCH_DATABASE_OWNER_URL) and Redis (REDIS_URL, default redis://127.0.0.1:6379). Creates and drops
 * its own database and uses its own Redis key prefix. Prints a markdown table and appends it to
 * bench/RESULTS.md.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../src/app.factory';
import { Clock } from '../src/common/clock';
import { AppConfig, loadConfig } from '../src/config/app-config';
import { ensureAppLoginRole, runMigrations, withDatabase } from '../src/db/bootstrap';
import { DEMO_PASSWORD, seedDemo } from '../src/db/demo-seed';

const SECONDS = positiveInt('BENCH_SECONDS', 10);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 32);
const WARMUP_SECONDS = Math.min(3, SECONDS);
const OWNER_URL = process.env.BENCH_DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const APP_ROLE = 'ketentafel_app';
const DEMO_EMAIL = 'coa@demo.ketentafel.nl';
const RESULTS_FILE = resolve(__dirname, '..', '..', 'bench', 'RESULTS.md');
const ORGANISATION_SQL = 'SELECT id, type, name, municipality_code, active FROM organisation WHERE id = $1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

async function ownerQuery(sql: string): Promise<void> {
  const c = new Client({ connectionString: OWNER_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * The least a lawful case read must do, with no framework: read the case and its subject, and write the
 * processing-log and audit-log entries in the same transaction before answering.
 */
const CASE_SQL = `SELECT c.id, c.reference, c.status, c.risk_level, s.id AS subject_id, s.v_number, s.family_name, s.given_names
                    FROM case_file c JOIN subject s ON s.id = c.subject_id WHERE c.id = $1`;
async function bareCaseRead(pool: Pool, id: string, pseudonymKey: string): Promise<unknown | undefined> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(CASE_SQL, [id]);
    const c = rows[0];
    if (!c) {
      await client.query('ROLLBACK');
      return undefined;
    }
    const op = randomUUID();
    await client.query(
      `INSERT INTO processing_log (trace_id, operation_id, operation_name, status, started_at, ended_at, data_subject_id)
       VALUES ($1, $2, 'case.read', 'ok', now(), now(), $3)`,
      [randomUUID(), op, createHmac('sha256', pseudonymKey).update(c.v_number).digest('hex')],
    );
    await client.query(`INSERT INTO audit_log (trace_id, operation_id, actor_kind, action, result) VALUES ($1, $2, 'user', 'case.read', 'allowed')`, [op, op]);
    await client.query('COMMIT');
    return { id: c.id, reference: c.reference, status: c.status, riskLevel: c.risk_level, subject: { vNumber: c.v_number, familyName: c.family_name, givenNames: c.given_names } };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** The baseline: the same query and the same JSON, with only a presence check of the bearer header. */
function bareServer(pool: Pool, pseudonymKey: string): Server {
  const prefix = '/api/v1/organisations/';
  const casePrefix = '/api/v1/cases/';
  return createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const json = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
      res.end(json);
    };
    if (req.url?.startsWith(casePrefix)) {
      const caseId = req.url.slice(casePrefix.length);
      if (!UUID.test(caseId) || !req.headers.authorization?.startsWith('Bearer ')) return send(404, { status: 404, title: 'Not Found' });
      bareCaseRead(pool, caseId, pseudonymKey).then(
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
async function load(title: string, url: string, token: string): Promise<autocannon.Result> {
  const options: autocannon.Options = { url, headers: { Authorization: `Bearer ${token}` }, connections: CONNECTIONS, workers: 1, timeout: 10 };
  await autocannon({ ...options, title: `${title} (warm-up)`, duration: WARMUP_SECONDS });
  const result = await autocannon({ ...options, title, duration: SECONDS });
  process.stdout.write(`  ${title}: ${Math.round(result.requests.mean)} req/s, p99 ${result.latency.p99} ms, ${result.non2xx} non-2xx\n`);
  return result;
}

async function clearRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
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
    await ownerQuery(`CREATE DATABASE ${name}`);
    cleanups.push(() => ownerQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    cleanups.push(() => clearRedisPrefix(redisPrefix));
    await runMigrations(config);
    await ensureAppLoginRole(config);

    const app = await createHttpApp(config, 'api');
    cleanups.push(() => app.close());
    await seedDemo(app.get(DataSource), app.get(Clock).now());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const appUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

    const pool = new Pool({ connectionString: config.DATABASE_URL, max: config.DB_POOL_SIZE });
    cleanups.push(() => pool.end());
    const bare = bareServer(pool, config.PSEUDONYM_KEY);
    const bareUrl = await listen(bare);
    cleanups.push(() => new Promise((ok) => bare.close(ok)));

    const login = (await getJson(`${appUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD }),
    })) as { accessToken: string };
    const auth = { Authorization: `Bearer ${login.accessToken}` };
    const organisations = (await getJson(`${appUrl}/api/v1/organisations`, { headers: auth })) as { id: string; name: string }[];
    const org = organisations.find((o) => o.name === 'COA azc Harderwijk') ?? organisations[0];
    if (!org) throw new Error('the demo seed left no organisation');
    const path = `/api/v1/organisations/${org.id}`;

    // Both variants must answer the same document before their speed is compared.
    const [fromApp, fromBare] = await Promise.all([getJson(appUrl + path, { headers: auth }), getJson(bareUrl + path, { headers: auth })]);
    if (JSON.stringify(fromApp) !== JSON.stringify(fromBare)) {
      throw new Error(`the variants answer differently: app ${JSON.stringify(fromApp)}, bare ${JSON.stringify(fromBare)}`);
    }
    console.log(`Set up in ${((Date.now() - started) / 1000).toFixed(1)} s; ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s each`);

    const bareResult = await load('bare node:http + pg', bareUrl + path, login.accessToken);
    const appResult = await load('Ketentafel (NestJS + Fastify)', appUrl + path, login.accessToken);

    // The hot read path: one case, disclosed under the covenant, logged before the response.
    const caseRow = (await pool.query(`SELECT id FROM case_file WHERE reference LIKE 'HWK-%-0001'`)).rows[0] as { id: string };
    const casePath = `/api/v1/cases/${caseRow.id}`;
    for (const base of [appUrl, bareUrl]) {
      const res = await fetch(base + casePath, { headers: auth });
      if (res.status !== 200) throw new Error(`${base}${casePath} answered ${res.status}`);
      await res.text();
    }
    const bareCase = await load('bare case read', bareUrl + casePath, login.accessToken);
    const appCase = await load('Ketentafel case read', appUrl + casePath, login.accessToken);

    const markdown =
      table(
        [
          { variant: '`GET /api/v1/organisations/:id`, whole app', result: appResult },
          { variant: 'bare `node:http` + `pg.Pool`, same query', result: bareResult },
        ],
        bareResult,
      ) +
      '\n\nHot read path: one case with its subject, disclosed under the covenant and logged (processing + audit ' +
      'entry, committed before the response). The bare handler reads case and subject and writes both log entries in ' +
      'one transaction, without access resolution, strategies, deadlines, transfers or action counts.\n\n' +
      table(
        [
          { variant: '`GET /api/v1/cases/:id`, whole app', result: appCase },
          { variant: 'bare `node:http` + `pg.Pool`, read + log in one transaction', result: bareCase },
        ],
        bareCase,
      );
    const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const section = `\n## ${when}: Node ${process.version}, nproc ${availableParallelism()}, ${CONNECTIONS} connections, ${SECONDS} s\n\n${markdown}\n`;
    console.log(section);
    for (const [label, r] of [['app', appResult], ['bare', bareResult], ['app case', appCase], ['bare case', bareCase]] as const) {
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

main()
  .catch((e: unknown) => {
    console.error('bench failed:', e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
  })
  .finally(() => {
    // Everything is closed by now, so the process should end by itself; if a handle lingers, end it anyway.
    setTimeout(() => {
      console.warn('warning: open handles kept the process alive after cleanup; exiting');
      process.exit();
    }, 5000).unref();
  });
