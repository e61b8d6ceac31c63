import { getQueueToken } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS } from '../src/common/redis';
import { AuditJob, QueueName } from '../src/jobs/queues';
import { OwnRedis } from './support/own-redis';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

const COA = 'coa@demo.ketentafel.nl';

async function eventually(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Structured log calls whose message matches, from every Nest Logger in this process. */
function logCalls(spy: jest.SpyInstance, message: RegExp): unknown[][] {
  return spy.mock.calls.filter((args) => args.some((a: unknown) => typeof a === 'string' && message.test(a)));
}

describe('Redis faults (a Redis server of the test\'s own)', () => {
  let redis: OwnRedis;
  let t: TestApp;
  let client: { clientId: string; clientSecret: string };
  const token = () => t.http().post('/api/v1/oauth/token').auth(client.clientId, client.clientSecret).type('form').send({ grant_type: 'client_credentials' });
  const shared = () => t.app.get<Redis>(REDIS);

  beforeAll(async () => {
    redis = await OwnRedis.start();
    t = await startTestApp({ env: { REDIS_URL: redis.url, LOGIN_MAX_FAILURES: '3', JOB_SCHEDULE_CHECK_SECONDS: '1' } });
    const admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
    const [org] = await t.dataSource.query(`SELECT id FROM organisation WHERE type = 'POLICE' LIMIT 1`);
    client = (await t.http().post('/api/v1/api-clients').set(bearer(admin)).send({ organisationId: org.id, name: 'Politie koppeling', scopes: ['incidents:write'] }).expect(201)).body;
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    try {
      await redis.start();
      await t.close();
    } finally {
      await redis.stop();
    }
  });

  it('keeps login and token issuing working while Redis is down, with per-process limits, and says so once', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const log = jest.spyOn(Logger.prototype, 'log');
    await login(t, COA);
    await token().expect(200);

    await redis.stop();
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const res = await t.http().post('/api/v1/auth/login').send({ email: COA, password: 'Demo-Ketentafel-2026' });
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);
      await token().expect(200);
    }
    // The failed-login limit still holds, counted in this process's memory.
    const wrong = () => t.http().post('/api/v1/auth/login').send({ email: 'ind@demo.ketentafel.nl', password: 'wrong-password-1' });
    for (let i = 0; i < 3; i++) await wrong().expect(401);
    const locked = await wrong().expect(429);
    expect(locked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(logCalls(warn, /per process/)).toHaveLength(1);

    await redis.start();
    await eventually(() => shared().status === 'ready', 5000, 'the shared client reconnects');
    await login(t, COA);
    await token().expect(200);
    expect(logCalls(log, /Redis again/)).toHaveLength(1);
    await login(t, COA);
    expect(logCalls(log, /Redis again/)).toHaveLength(1);
    expect(logCalls(warn, /per process/)).toHaveLength(1);
  });

  it('bounds every Redis call on the login path when Redis hangs', async () => {
    await eventually(() => shared().status === 'ready', 5000, 'the shared client is connected');
    await login(t, COA); // back on the shared limits
    // Every client's commands wait 2 s: without a command timeout the login would wait as long.
    await redis.command('CLIENT', 'PAUSE', 2000, 'ALL');
    const started = Date.now();
    await t.http().post('/api/v1/auth/login').send({ email: COA, password: 'Demo-Ketentafel-2026' }).expect(200);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('re-creates the job schedulers when Redis comes back empty, so that sealing resumes without a restart', async () => {
    const audit = t.app.get<Queue>(getQueueToken(QueueName.Audit), { strict: false });
    await eventually(async () => !!(await audit.getJobScheduler(AuditJob.SealLogs)), 5000, 'the sealing scheduler exists');
    await redis.command('FLUSHALL');
    expect(await audit.getJobScheduler(AuditJob.SealLogs)).toBeUndefined();

    const [entry] = await t.dataSource.query(
      `INSERT INTO processing_log (trace_id, operation_id, operation_name, status, started_at, ended_at, data_subject_id)
       VALUES ('trace-flush', gen_random_uuid(), 'test.after-flush', 'ok', now(), now(), repeat('b', 64)) RETURNING id::text AS id`,
    );
    const sealed = async () => (await t.dataSource.query(`SELECT 1 FROM log_seal WHERE log = 'processing_log' AND entry_id = $1`, [entry.id])).length === 1;
    // The schedulers are checked every second and the sealing job runs every 10 s, on the 10 s grid: under a
    // loaded CI machine the first run after the flush may take a while longer than 11 s (it flaked at 15 s).
    await eventually(sealed, 40_000, 'the entry written after the flush is sealed');
    expect(await audit.getJobScheduler(AuditJob.SealLogs)).toMatchObject({ every: 10_000 });
  }, 60_000);
});

describe('readiness and job schedulers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ seed: false });
  });
  afterAll(() => t.close());

  it('reports a worker whose schedulers are missing, and re-creates them', async () => {
    await t.http().get('/health/ready').expect(200);
    const audit = t.app.get<Queue>(getQueueToken(QueueName.Audit), { strict: false });
    await audit.removeJobScheduler(AuditJob.SealLogs);
    const res = await t.http().get('/health/ready').expect(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'not_ready', detail: 'Not ready: schedulers is down.' });
    expect(res.body.checks.schedulers).toMatchObject({ status: 'down', message: expect.stringContaining(AuditJob.SealLogs) });
    await eventually(async () => (await t.http().get('/health/ready')).status === 200, 5000, 'ready again');
    expect(await audit.getJobScheduler(AuditJob.SealLogs)).toMatchObject({ every: 10_000 });
  });
});
