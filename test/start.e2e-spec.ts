import { createServer, Server, Socket } from 'node:net';
import { Client } from 'pg';
import { OwnRedis } from './support/own-redis';
import { AppProcess, freePort, loginOver, message, spawnApp, startApi, stopApp } from './support/processes';
import { createTestDatabase, TestDatabase } from './support/test-database';

/**
 * Starting the application as a person does: `src/main.ts` in a process of its own, with the settings a person
 * gets wrong. Every bad database or Redis setting must end the start within seconds with exit code 1 and one
 * line on stderr that names the variable to set, whatever the cause; a good start prints one human line.
 */

/** A TCP peer that speaks enough of the PostgreSQL protocol to ask for SCRAM-SHA-256 and refuse the answer. */
async function scramServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let started = false;
    socket.on('data', () => {
      if (!started) {
        // StartupMessage received: AuthenticationSASL (R, code 10) offering SCRAM-SHA-256.
        started = true;
        const mechanisms = Buffer.from('SCRAM-SHA-256\0\0');
        const head = Buffer.alloc(9);
        head.write('R', 0);
        head.writeInt32BE(4 + 4 + mechanisms.length, 1);
        head.writeInt32BE(10, 5);
        socket.write(Buffer.concat([head, mechanisms]));
        return;
      }
      // SASLInitialResponse received (a password was given): refuse it as PostgreSQL does.
      const fields = Buffer.from('SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "kt"\0\0');
      const head = Buffer.alloc(5);
      head.write('E', 0);
      head.writeInt32BE(4 + fields.length, 1);
      socket.end(Buffer.concat([head, fields]));
    });
  });
  return listening(server, sockets);
}

/** A TCP peer that accepts and never says anything (a firewall that drops, a hung server). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  return listening(server, sockets);
}

async function listening(server: Server, sockets: Set<Socket>) {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

/** Runs the start to its end (at most `ms`); its exit code and what it wrote to stderr and stdout. */
async function failedStart(p: AppProcess, ms = 15_000) {
  const stderr: string[] = [];
  const stdout: string[] = [];
  p.child.stderr!.on('data', (c: Buffer) => stderr.push(...c.toString().split('\n').filter((l) => l.trim())));
  p.child.stdout!.on('data', (c: Buffer) => stdout.push(...c.toString().split('\n').filter((l) => l.trim())));
  const started = Date.now();
  const timer = setTimeout(() => p.child.kill('SIGKILL'), ms);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, stderr, stdout, seconds: (Date.now() - started) / 1000 };
}

describe('start (spawned)', () => {
  let db: TestDatabase;
  let redis: OwnRedis | undefined;
  let scram: Awaited<ReturnType<typeof scramServer>>;
  let silent: Awaited<ReturnType<typeof silentServer>>;
  /** A login role that may not create databases, of this test file only. */
  const weakRole = `kt_start_weak_${process.pid}`;
  const owner = async (sql: string) => {
    const c = new Client({ connectionString: db.config.MIGRATION_DATABASE_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  beforeAll(async () => {
    db = await createTestDatabase();
    scram = await scramServer();
    silent = await silentServer();
    await owner(`CREATE ROLE ${weakRole} LOGIN NOCREATEDB`);
  });
  afterAll(async () => {
    await owner(`DROP ROLE IF EXISTS ${weakRole}`).catch(() => undefined);
    await scram?.close();
    await silent?.close();
    await redis?.stop();
    await db?.drop();
  });

  const database = () => new URL(db.config.MIGRATION_DATABASE_URL).pathname.slice(1);
  const cases: [string, () => Record<string, string>, RegExp][] = [
    ['PostgreSQL refused', () => ({ DB_RUN_MIGRATIONS: 'true', MIGRATION_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/kt' }), /^Cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\); start it or set MIGRATION_DATABASE_URL$/],
    ['PostgreSQL host unknown', () => ({ DB_RUN_MIGRATIONS: 'true', MIGRATION_DATABASE_URL: 'postgres://postgres@no-such-host.invalid:5432/kt' }), /^Cannot reach PostgreSQL at no-such-host\.invalid:5432 \(host no-such-host\.invalid unknown\); set MIGRATION_DATABASE_URL$/],
    ['PostgreSQL silent', () => ({ DB_RUN_MIGRATIONS: 'true', MIGRATION_DATABASE_URL: `postgres://postgres@127.0.0.1:${silent.port}/kt` }), /^Cannot reach PostgreSQL at 127\.0\.0\.1:\d+ \(no answer within 3 s\); start it or set MIGRATION_DATABASE_URL$/],
    [
      'PostgreSQL wants a password the URL lacks',
      () => ({ DB_RUN_MIGRATIONS: 'true', MIGRATION_DATABASE_URL: `postgres://kt@127.0.0.1:${scram.port}/kt` }),
      /^PostgreSQL at 127\.0\.0\.1:\d+ wants a password for role "kt" and MIGRATION_DATABASE_URL has none; set MIGRATION_DATABASE_URL=postgres:\/\/kt:<password>@127\.0\.0\.1:\d+\/kt$/,
    ],
    [
      'PostgreSQL wants a password, while the bootstrap probes its postgres database',
      () => ({ DB_BOOTSTRAP: 'true', MIGRATION_DATABASE_URL: `postgres://kt@127.0.0.1:${scram.port}/ketentafel` }),
      /^PostgreSQL at 127\.0\.0\.1:\d+ wants a password for role "kt" and MIGRATION_DATABASE_URL has none; set MIGRATION_DATABASE_URL=postgres:\/\/kt:<password>@127\.0\.0\.1:\d+\/ketentafel$/,
    ],
    [
      'PostgreSQL refuses the password',
      () => ({ DB_RUN_MIGRATIONS: 'true', MIGRATION_DATABASE_URL: `postgres://kt:wrong@127.0.0.1:${scram.port}/kt` }),
      /^PostgreSQL at 127\.0\.0\.1:\d+ refused the password for role "kt" \(28P01 authentication failed\); set MIGRATION_DATABASE_URL with the right password$/,
    ],
    ['PostgreSQL role missing', () => ({ DB_RUN_MIGRATIONS: 'true', MIGRATION_DATABASE_URL: 'postgres://no_such_role_kt@127.0.0.1:5432/kt' }), /^PostgreSQL at 127\.0\.0\.1:5432 refused role "no_such_role_kt" \(28000 .*\); set MIGRATION_DATABASE_URL with a role that may log in$/],
    [
      'PostgreSQL database missing',
      () => ({ DB_RUN_MIGRATIONS: 'true', MIGRATION_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/no_such_database_kt' }),
      /^PostgreSQL at 127\.0\.0\.1:5432 has no database "no_such_database_kt" \(3D000\); create it or set MIGRATION_DATABASE_URL$/,
    ],
    [
      'a migration role that may not create the database',
      () => ({ DB_BOOTSTRAP: 'true', DB_RUN_MIGRATIONS: 'true', MIGRATION_DATABASE_URL: `postgres://${weakRole}@127.0.0.1:5432/no_such_database_kt` }),
      /^Preparing the database at 127\.0\.0\.1:5432 as role "kt_start_weak_\d+" failed \(42501 permission denied to create database\); give that role the right, or set MIGRATION_DATABASE_URL \(or DB_BOOTSTRAP=false\)$/,
    ],
    [
      'a bad DATABASE_URL while the migration URL works',
      () => ({ DB_RUN_MIGRATIONS: 'true', DATABASE_URL: `postgres://ketentafel_app:ketentafel_app@127.0.0.1:1/${database()}` }),
      /^Cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\); start it or set DATABASE_URL$/,
    ],
    [
      'DATABASE_URL naming a missing database while the migration URL works',
      () => ({ DB_RUN_MIGRATIONS: 'true', DATABASE_URL: 'postgres://ketentafel_app:ketentafel_app@127.0.0.1:5432/no_such_database_kt' }),
      /^PostgreSQL at 127\.0\.0\.1:5432 has no database "no_such_database_kt" \(3D000\); create it or set DATABASE_URL$/,
    ],
    ['DATABASE_URL alone (no migrations), refused', () => ({ DATABASE_URL: 'postgres://ketentafel_app@127.0.0.1:1/kt' }), /^Cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\); start it or set DATABASE_URL$/],
    ['Redis refused', () => ({ REDIS_URL: 'redis://127.0.0.1:1' }), /^Cannot reach Redis at 127\.0\.0\.1:1 \(ECONNREFUSED\); start it or set REDIS_URL$/],
    ['Redis database index out of range', () => ({ REDIS_URL: 'redis://127.0.0.1:6379/99' }), /^Redis at 127\.0\.0\.1:6379 has no database 99 \(DB index is out of range\); set REDIS_URL with another database number$/],
  ];

  it.each(cases)('%s: exit 1 within seconds, one line on stderr naming the variable', async (_, env, line) => {
    const result = await failedStart(spawnApp(db.config, 'api', env()));
    expect(result).toMatchObject({ code: 1, stderr: [expect.stringMatching(line)], stdout: [] });
    expect(result.seconds).toBeLessThan(8);
  }, 20_000);

  describe('Redis with a password', () => {
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      redis = await OwnRedis.start({ port, password: 'kt-secret' });
    });

    it.each([
      ['none in the URL', () => `redis://127.0.0.1:${port}`, /^Redis at 127\.0\.0\.1:\d+ wants a password and REDIS_URL has none; set REDIS_URL=redis:\/\/:<password>@127\.0\.0\.1:\d+$/],
      ['a wrong one', () => `redis://:wrong@127.0.0.1:${port}`, /^Redis at 127\.0\.0\.1:\d+ refused the credentials of REDIS_URL \(WRONGPASS\); set REDIS_URL with the right password$/],
    ])('%s: exit 1, one line naming REDIS_URL', async (_, url, line) => {
      const result = await failedStart(spawnApp(db.config, 'api', { REDIS_URL: url() }));
      expect(result).toMatchObject({ code: 1, stderr: [expect.stringMatching(line)], stdout: [] });
    }, 20_000);
  });

  describe('a good start', () => {
    let api: AppProcess | undefined;
    afterEach(async () => {
      if (api) await stopApp(api);
      api = undefined;
    });

    it('prints one line with the real port, serves links and the OpenAPI servers with it, and no start-up wiring at info', async () => {
      const metricsPort = await freePort();
      const token = 'metrics-token-of-the-start-test-0123456789';
      const started = await startApi(db.config, { METRICS_PORT: String(metricsPort), METRICS_TOKEN: token, DEMO_SEED: 'true' });
      api = started;
      const port = new URL(started.url).port;
      const lines = started.output.lines;
      const at = lines.findIndex((l) => l.includes('Ketentafel api listening'));
      expect(lines[at]).toBe(`Ketentafel api listening on http://localhost:${port}/api/v1 (API docs: http://localhost:${port}/api/v1/docs); metrics on http://localhost:${metricsPort}/metrics`);
      // Before it, at LOG_LEVEL=info: at most the demo seed's line; none of Nest's "Mapped {…} route" wiring.
      expect(lines.slice(0, at).map((l) => message(l))).toEqual(lines.slice(0, at).map(() => 'demo seeded'));

      const document = await (await fetch(`${started.url}/api/v1/openapi.json`)).json();
      expect(document.servers[0].url).toBe(`http://localhost:${port}/api/v1`);
      const coa = await loginOver(started.url, 'coa@demo.ketentafel.nl');
      const feed = await fetch(`${started.url}/api/v1/calendar-feeds`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${coa}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ kind: 'organisation' }),
      });
      expect(feed.status).toBe(201);
      expect(((await feed.json()) as { url: string }).url).toMatch(new RegExp(`^http://localhost:${port}/api/v1/calendar-feeds/`));

      // Metrics: on the API port only with the token; on the metrics listener without one, and nothing else there.
      const anonymous = await fetch(`${started.url}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await anonymous.json()).toMatchObject({ status: 401, code: 'metrics_token_required' });
      expect((await fetch(`${started.url}/metrics`, { headers: { Authorization: 'Bearer not-the-token' } })).status).toBe(401);
      const scraped = await fetch(`${started.url}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('http_request_duration_seconds');
      const separate = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(separate.status).toBe(200);
      expect(await separate.text()).toContain('queue_jobs');
      expect((await fetch(`http://127.0.0.1:${metricsPort}/api/v1/openapi.json`)).status).toBe(404);
    }, 90_000);

    it('with PORT=0 says the port it took, and serves the OpenAPI servers relative to the document; LOG_FORMAT=pretty logs readable lines', async () => {
      api = spawnApp(db.config, 'api', { PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'pretty' });
      await api.output.waitFor((l) => l.includes('Ketentafel api listening'), 60_000);
      const line = api.output.lines.find((l) => l.includes('Ketentafel api listening'))!;
      const port = /http:\/\/localhost:(\d+)\/api\/v1 /.exec(line)?.[1];
      expect(Number(port)).toBeGreaterThan(0);
      const document = await (await fetch(`http://127.0.0.1:${port}/api/v1/openapi.json`)).json();
      expect(document.servers[0].url).toBe('/api/v1');
      await api.output.waitFor((l) => l.includes('request completed'), 5000);
      const logged = api.output.lines.find((l) => l.includes('request completed'))!;
      expect(message(logged)).toBeUndefined(); // not JSON
      expect(logged).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: request completed \{.*"statusCode":200/);
    }, 90_000);
  });
});
