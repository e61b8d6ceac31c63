import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { request as httpRequest } from 'node:http';
import { createServer, connect, Server, Socket } from 'node:net';
import { Client, Pool } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CommonError } from '../src/common/problem';
import { databaseFault } from '../src/db/database-faults';
import { givenAction, givenCase, givenTable, givenTableUser } from './support/factories';
import { ownerClient } from './support/test-database';
import { bearer, login, startAppOn, startTestApp, TestApp } from './support/test-app';

const API = '/api/v1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP proxy in front of PostgreSQL that the test can cut: "the database is gone" for one app only. */
class CuttableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(5432, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    const closed = new Promise((resolve) => this.server!.close(resolve));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

/** Polls until `check` holds (or fails the test after `ms`). */
async function eventually<T>(what: string, probe: () => Promise<T>, check: (v: T) => boolean, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    if (Date.now() > until) throw new Error(`${what}: still ${JSON.stringify(value)} after ${ms} ms`);
    await sleep(25);
  }
}

/**
 * Bounded waits and honest answers: a lock, a full pool, a vanished PostgreSQL or a client that leaves
 * never hang a request or turn into a 500. Timeouts are set short here; the defaults are in app-config.ts.
 */
describe('database faults', () => {
  let t: TestApp;
  let owner: Client;
  /** Outside any transaction: pg_stat_activity is a snapshot per transaction. */
  let observer: Client;
  let caseId: string;
  let actionId: string;
  let token: string;
  const LOCK_TIMEOUT_MS = 700;
  const ACQUIRE_TIMEOUT_MS = 400;
  const POOL_SIZE = 4;

  const getCase = (http = t.http()) => http.get(`${API}/cases/${caseId}`).set(bearer(token));
  const getOrganisations = (http = t.http()) => http.get(`${API}/organisations`).set(bearer(token));
  const timed = async <T>(started: number, p: PromiseLike<T>) => ({ res: await p, ms: Date.now() - started });

  /** An owner transaction holding `LOCK TABLE case_file` until `release` is called. */
  async function lockCases(): Promise<{ release: () => Promise<void> }> {
    await owner.query('BEGIN');
    await owner.query('LOCK TABLE case_file IN ACCESS EXCLUSIVE MODE');
    return { release: async () => void (await owner.query('ROLLBACK')) };
  }

  const expectRetryLater = (res: request.Response, code: CommonError, retryAfter: string) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 503, code });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe(retryAfter);
    expect(res.headers['api-version']).toBeTruthy();
    expect(res.body).toMatchObject({ status: 503, title: 'Service Unavailable', retryAfter: Number(retryAfter) });
  };

  beforeAll(async () => {
    t = await startTestApp({
      seed: false,
      env: {
        DB_POOL_SIZE: String(POOL_SIZE),
        DB_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
        DB_STATEMENT_TIMEOUT_MS: '2000',
        DB_POOL_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
      },
    });
    owner = await ownerClient(t.db);
    observer = await ownerClient(t.db);
    const table = await givenTable(t.dataSource);
    caseId = (await givenCase(t.dataSource, table)).id;
    actionId = (await givenAction(t.dataSource, caseId, table.organisations.POLICE!)).id;
    token = (await login(t, (await givenTableUser(t.dataSource, table, 'POLICE')).email)).accessToken;
  });
  afterAll(async () => {
    await owner.end();
    await observer.end();
    await t.close();
  });

  it('sets statement, lock and idle-in-transaction timeouts on every connection of the pool', async () => {
    const [settings] = await t.dataSource.query(
      `SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock,
              current_setting('idle_in_transaction_session_timeout') AS idle`,
    );
    expect(settings).toEqual({ statement: '2s', lock: `${LOCK_TIMEOUT_MS}ms`, idle: '10s' });
  });

  it('answers 503 lock_timeout with Retry-After within the lock timeout while a table is locked; other routes go on; the pool recovers', async () => {
    const lock = await lockCases();
    try {
      const started = Date.now();
      const [a, b, organisations] = await Promise.all([timed(started, getCase()), timed(started, getCase()), timed(started, getOrganisations())]);
      for (const waited of [a, b]) {
        expectRetryLater(waited.res, CommonError.LockTimeout, '1');
        expect(waited.ms).toBeGreaterThanOrEqual(LOCK_TIMEOUT_MS - 50);
        expect(waited.ms).toBeLessThan(LOCK_TIMEOUT_MS + 1500);
      }
      // Not blocked by the lock: answered before the lock waits ended.
      expect(organisations.res.status).toBe(200);
      expect(organisations.ms).toBeLessThan(Math.min(a.ms, b.ms));

      // Twice as many lock waiters as connections: every one answers in bounded time, none is a 500.
      const burst = Date.now();
      const answers = await Promise.all([...Array.from({ length: 2 * POOL_SIZE }, () => getCase()), getOrganisations()]);
      expect(Date.now() - burst).toBeLessThan(3 * LOCK_TIMEOUT_MS + ACQUIRE_TIMEOUT_MS + 1500);
      for (const res of answers.slice(0, -1)) expect([CommonError.LockTimeout, CommonError.DatabaseBusy]).toContain(res.body.code);
      expect([200, 503]).toContain(answers[answers.length - 1].status);
    } finally {
      await lock.release();
    }
    await getOrganisations().expect(200);
    await getCase().expect(200);
  });

  it('keeps readiness 200 while every pool connection is busy, and answers 503 database_busy to a request that gets none in time', async () => {
    const runners = Array.from({ length: POOL_SIZE }, () => t.dataSource.createQueryRunner());
    const slow = runners.map((r) => r.query('SELECT pg_sleep(1.8)'));
    try {
      await eventually(
        'slow statements holding the pool',
        async () => Number((await observer.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(1.8)%' AND state = 'active'`)).rows[0].n),
        (n) => n === POOL_SIZE,
      );
      const started = Date.now();
      const ready = await t.http().get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.info.database).toMatchObject({ status: 'up' });
      expect(Date.now() - started).toBeLessThan(1000);

      const busy = await timed(Date.now(), getOrganisations());
      expectRetryLater(busy.res, CommonError.DatabaseBusy, '2');
      expect(busy.ms).toBeGreaterThanOrEqual(ACQUIRE_TIMEOUT_MS - 50);
      expect(busy.ms).toBeLessThan(ACQUIRE_TIMEOUT_MS + 1000);
    } finally {
      await Promise.allSettled(slow);
      await Promise.all(runners.map((r) => r.release()));
    }
    await getOrganisations().expect(200);
  });

  it('classifies the real faults of PostgreSQL and node-postgres as "retry later", and nothing else', async () => {
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    const inTransaction = (ds: DataSource, ...statements: string[]) =>
      failure(ds.transaction(async (m) => {
        for (const s of statements) await m.query(s);
      }));

    const statementTimeout = await inTransaction(t.dataSource, 'SET LOCAL statement_timeout = 50', 'SELECT pg_sleep(1)');
    const lock = await lockCases();
    const lockTimeout = await inTransaction(t.dataSource, 'SET LOCAL lock_timeout = 50', 'SELECT count(*) FROM case_file');
    await lock.release();

    // Two transactions taking the same two advisory locks in opposite order: PostgreSQL breaks the cycle.
    const [first, second] = [t.dataSource.createQueryRunner(), t.dataSource.createQueryRunner()];
    await first.startTransaction();
    await second.startTransaction();
    // Deadlock detection (deadlock_timeout, 1 s) must come before this app's short lock timeout.
    for (const r of [first, second]) await r.query('SET LOCAL lock_timeout = 0');
    await first.query('SELECT pg_advisory_xact_lock(8001)');
    await second.query('SELECT pg_advisory_xact_lock(8002)');
    const crossed = await Promise.all([failure(first.query('SELECT pg_advisory_xact_lock(8002)')), failure(second.query('SELECT pg_advisory_xact_lock(8001)'))]);
    await Promise.all([first.rollbackTransaction(), second.rollbackTransaction()]);
    await Promise.all([first.release(), second.release()]);

    // A repeatable-read transaction updating a row that another one changed since its snapshot.
    const [reader, writer] = [t.dataSource.createQueryRunner(), t.dataSource.createQueryRunner()];
    const [org] = await t.dataSource.query(`SELECT id FROM organisation LIMIT 1`);
    await reader.startTransaction('REPEATABLE READ');
    await reader.query('SELECT name FROM organisation WHERE id = $1', [org.id]);
    await writer.query('UPDATE organisation SET name = name WHERE id = $1', [org.id]);
    const serialization = await failure(reader.query('UPDATE organisation SET name = name WHERE id = $1', [org.id]));
    await reader.rollbackTransaction();
    await Promise.all([reader.release(), writer.release()]);

    // The backend is ended under a running statement (an operator, a failover).
    const victim = t.dataSource.createQueryRunner();
    const [{ pid }] = await victim.query('SELECT pg_backend_pid() AS pid');
    const running = failure(victim.query('SELECT pg_sleep(1)'));
    await sleep(50);
    await owner.query('SELECT pg_terminate_backend($1)', [pid]);
    const terminated = await running;
    await victim.release();

    const refused = await failure(new Client({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 500 }).connect());
    const small = new Pool({ connectionString: t.config.DATABASE_URL, max: 1, connectionTimeoutMillis: 50 });
    const held = await small.connect();
    const poolTimeout = await failure(small.connect());
    held.release();
    await small.end();

    const faults = { statementTimeout, lockTimeout, deadlock: crossed.find(Boolean), serialization, terminated, refused, poolTimeout };
    expect(Object.fromEntries(Object.entries(faults).map(([k, e]) => [k, databaseFault(e)?.code]))).toEqual({
      statementTimeout: CommonError.DatabaseTimeout,
      lockTimeout: CommonError.LockTimeout,
      deadlock: CommonError.TransactionConflict,
      serialization: CommonError.TransactionConflict,
      terminated: CommonError.DatabaseUnavailable,
      refused: CommonError.DatabaseUnavailable,
      poolTimeout: CommonError.DatabaseBusy,
    });
    // A violated constraint is a bug or bad input, not a fault to retry.
    expect(databaseFault(await failure(t.dataSource.query(`INSERT INTO organisation (id, type, name) VALUES ($1, 'COA', 'x')`, [org.id])))).toBeUndefined();
  });

  describe('an app whose PostgreSQL can go away', () => {
    const proxy = new CuttableProxy();
    let app: NestFastifyApplication;
    const http = () => request(app.getHttpServer());
    /** The backends of this app (not the control connections) that wait for a lock. */
    const lockWaiters = async () =>
      (await observer.query(`SELECT pid, state, query FROM pg_stat_activity WHERE application_name = 'ketentafel-api' AND wait_event_type = 'Lock'`)).rows as { pid: number }[];

    beforeAll(async () => {
      await proxy.open();
      const url = new URL(t.config.DATABASE_URL);
      url.port = String(proxy.port);
      // Long timeouts, so that what ends a wait below is the cancellation or the fault, not a timeout.
      app = await startAppOn(t.db, { DATABASE_URL: url.toString(), DB_LOCK_TIMEOUT_MS: '8000', DB_STATEMENT_TIMEOUT_MS: '9000', DB_POOL_SIZE: '3', DB_POOL_ACQUIRE_TIMEOUT_MS: '1000' });
      await app.listen(0, '127.0.0.1');
    });
    afterAll(async () => {
      await app?.close();
      await proxy.cut().catch(() => undefined);
    });

    /** Starts a request on a socket of its own; `abort` closes it as a client that gives up does. */
    const begin = (method: string, path: string, body?: [string, string]) => {
      const port = (app.getHttpServer().address() as { port: number }).port;
      const headers: Record<string, string | number> = { Authorization: `Bearer ${token}` };
      if (body) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body.join('')) });
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers });
      req.on('error', () => undefined);
      if (body) {
        req.write(body[0]);
        setTimeout(() => req.end(body[1]), 100);
      } else req.end();
      return { abort: () => req.destroy() };
    };

    it.each([
      // A case read has no transaction: the cancelled statement is its last (its log INSERT never runs).
      ['a read', () => begin('GET', `${API}/cases/${caseId}`), /^\s*SELECT /],
      // A body that arrives after the headers is parsed in the socket's async context; the scope must hold after it.
      // A write's transaction is rolled back after the cancelled statement, and nothing else runs.
      ['a write with a late body', () => begin('POST', `${API}/actions/${actionId}/_complete`, ['{"resultNote":', ' "Gedaan"}']), /^ROLLBACK/],
    ])('cancels the statement of %s whose client went away, and runs nothing more for it', async (_, send, last) => {
      const lock = await lockCases();
      try {
        const abandoned = send();
        const [waiter] = await eventually('the request waiting for the lock', lockWaiters, (rows) => rows.length === 1);
        const left = Date.now();
        abandoned.abort();
        const after = await eventually(
          'the abandoned backend',
          async () => (await observer.query(`SELECT state, wait_event_type AS wait, query FROM pg_stat_activity WHERE pid = $1`, [waiter.pid])).rows[0],
          (row) => row.state === 'idle',
        );
        expect(Date.now() - left).toBeLessThan(2000);
        // The cancelled statement was its last: nothing else ran (a transaction only rolled back).
        expect(after.query).toMatch(last);
      } finally {
        await lock.release();
      }
      await getOrganisations(http()).expect(200);
    });

    it('answers 503 database_unavailable, not 500, when its backend is terminated under a request', async () => {
      const lock = await lockCases();
      try {
        const pending = getCase(http()).then((res) => res);
        const [waiter] = await eventually('the request waiting for the lock', lockWaiters, (rows) => rows.length === 1);
        await owner.query('SELECT pg_terminate_backend($1)', [waiter.pid]);
        expectRetryLater(await pending, CommonError.DatabaseUnavailable, '5');
      } finally {
        await lock.release();
      }
      await getCase(http()).expect(200);
    });

    it('answers 503 database_unavailable and reports not ready while PostgreSQL is unreachable, and recovers when it is back', async () => {
      await proxy.cut();
      for (const res of [await getCase(http()), await getOrganisations(http())]) expectRetryLater(res, CommonError.DatabaseUnavailable, '5');
      const ready = await http().get('/health/ready').expect(503);
      expect(ready.body).toMatchObject({ code: 'not_ready', detail: 'Not ready: database is down.' });

      await proxy.open();
      await eventually('readiness after PostgreSQL is back', async () => (await http().get('/health/ready')).status, (s) => s === 200);
      await eventually('a request after PostgreSQL is back', async () => (await getCase(http())).status, (s) => s === 200);
    });
  });
});
