import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import request from 'supertest';
import { OutboxLagProbe } from '../src/health/outbox-lag';
import { QUEUES, QueueName } from '../src/jobs/queues';
import { startAppOn, startTestApp, TestApp } from './support/test-app';
import { TEST_METRICS_TOKEN } from './support/test-database';

/** The value of one series in a Prometheus exposition, or undefined when the series is not there. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => have.includes(w)) && have.length === wanted.length) return Number(m[3]);
  }
  return undefined;
}

const scrape = async (app: NestFastifyApplication) =>
  (await request(app.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${TEST_METRICS_TOKEN}`).expect(200)).text;

describe('operations: queue and outbox metrics, readiness on outbox lag', () => {
  let t: TestApp;
  /** An unrelayed event, written 400 s ago by the database's clock. */
  const oldEvent = (relayed: boolean, secondsAgo: number) =>
    t.dataSource.query(
      `INSERT INTO domain_event (type, aggregate_type, aggregate_id, occurred_at, relayed_at)
       VALUES ('action.assigned', 'action', gen_random_uuid(), now() - make_interval(secs => $1), CASE WHEN $2 THEN now() END) RETURNING id::text AS id`,
      [secondsAgo, relayed],
    ) as Promise<{ id: string }[]>;

  beforeAll(async () => {
    // No workers: nothing relays or takes jobs while the test looks.
    t = await startTestApp({ seed: false, role: 'api' });
  });
  afterAll(() => t.close());

  it('reports jobs per state and the age of the oldest waiting job for every queue of QUEUES', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Maintenance));
    await queue.add('test-old', {}, { timestamp: Date.now() - 90_000 });
    await queue.add('test-new', {});
    const text = await scrape(t.app);
    for (const name of QUEUES) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) expect({ name, state, v: sample(text, 'queue_jobs', { queue: name, state }) }).toEqual({ name, state, v: expect.any(Number) });
      expect({ name, age: sample(text, 'queue_oldest_waiting_job_age_seconds', { queue: name }) }).toEqual({ name, age: expect.any(Number) });
      expect(sample(text, 'metrics_collection_up', { source: `queue:${name}` })).toBe(1);
      expect(sample(text, 'metrics_collection_duration_seconds', { source: `queue:${name}` })).toBeLessThan(1);
    }
    expect(sample(text, 'queue_jobs', { queue: 'maintenance', state: 'waiting' })).toBe(2);
    // The oldest, not the newest: BullMQ's wait list is read from its far end.
    expect(sample(text, 'queue_oldest_waiting_job_age_seconds', { queue: 'maintenance' })).toBeGreaterThanOrEqual(89);
    expect(sample(text, 'queue_oldest_waiting_job_age_seconds', { queue: 'maintenance' })).toBeLessThan(150);
    expect(sample(text, 'queue_oldest_waiting_job_age_seconds', { queue: 'audit' })).toBe(0);
    await queue.obliterate({ force: true });
  });

  it('reports the outbox lag, and readiness fails on it past OUTBOX_LAG_READY_SECONDS (unless 0)', async () => {
    const empty = await scrape(t.app);
    expect(sample(empty, 'outbox_oldest_event_age_seconds', { state: 'unrelayed' })).toBe(0);
    expect(sample(empty, 'outbox_oldest_event_age_seconds', { state: 'undelivered' })).toBe(0);
    expect((await t.http().get('/health/ready').expect(200)).body.info.outbox).toEqual({ status: 'up', oldestUnrelayedAgeSeconds: 0 });

    const [stuck] = await oldEvent(false, 400);
    await oldEvent(false, 100);
    await oldEvent(true, 200);
    const text = await scrape(t.app);
    expect(sample(text, 'outbox_oldest_event_age_seconds', { state: 'unrelayed' })).toBeGreaterThanOrEqual(400);
    expect(sample(text, 'outbox_oldest_event_age_seconds', { state: 'unrelayed' })).toBeLessThan(430);
    expect(sample(text, 'outbox_oldest_event_age_seconds', { state: 'undelivered' })).toBeGreaterThanOrEqual(200);
    expect(sample(text, 'outbox_oldest_event_age_seconds', { state: 'undelivered' })).toBeLessThan(230);
    expect(sample(text, 'metrics_collection_up', { source: 'outbox' })).toBe(1);

    const res = await t.http().get('/health/ready').expect(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'not_ready', detail: 'Not ready: outbox is down.' });
    expect(res.body.checks.outbox).toMatchObject({ status: 'down', oldestUnrelayedAgeSeconds: expect.any(Number) });
    expect(res.body.checks.outbox.oldestUnrelayedAgeSeconds).toBeGreaterThanOrEqual(400);
    expect(res.body.checks.outbox.message).toMatch(/older|old \(limit 300 s\)/);

    const off = await startAppOn(t.db, { OUTBOX_LAG_READY_SECONDS: '0' });
    try {
      const ready = await request(off.getHttpServer()).get('/health/ready').expect(200);
      expect(ready.body.info.outbox).toBeUndefined();
    } finally {
      await off.close();
    }

    // Relayed at last: 100 s is within the limit.
    await t.dataSource.query(`UPDATE domain_event SET relayed_at = now() WHERE id = $1`, [stuck.id]);
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.info.outbox.oldestUnrelayedAgeSeconds).toBeGreaterThanOrEqual(100);
    await t.dataSource.query(`UPDATE domain_event SET relayed_at = now(), delivered_at = now()`);
  });

  it('answers the scrape at once when Redis is down, reporting the queues as not collected', async () => {
    const down = await startAppOn(t.db, { REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const started = Date.now();
      const text = await scrape(down);
      expect(Date.now() - started).toBeLessThan(1500);
      for (const name of QUEUES) {
        expect(sample(text, 'metrics_collection_up', { source: `queue:${name}` })).toBe(0);
        // Left out, not stale: a missing series cannot be mistaken for an empty queue.
        expect(sample(text, 'queue_jobs', { queue: name, state: 'waiting' })).toBeUndefined();
        expect(sample(text, 'queue_oldest_waiting_job_age_seconds', { queue: name })).toBeUndefined();
      }
      expect(sample(text, 'metrics_collection_up', { source: 'outbox' })).toBe(1);
      expect(text).toContain('http_request_duration_seconds');
    } finally {
      await down.close();
    }
  });

  it('still answers the scrape when the outbox cannot be read, reporting it as not collected', async () => {
    const probe = t.app.get(OutboxLagProbe);
    const read = jest.spyOn(probe, 'read').mockRejectedValue(new Error('canceling statement due to statement timeout'));
    try {
      const text = await scrape(t.app);
      expect(sample(text, 'metrics_collection_up', { source: 'outbox' })).toBe(0);
      expect(sample(text, 'outbox_oldest_event_age_seconds', { state: 'unrelayed' })).toBeUndefined();
      expect(sample(text, 'metrics_collection_up', { source: 'queue:maintenance' })).toBe(1);
      // Unknown is not late: readiness says so, and stays ready (the database check speaks for PostgreSQL).
      const res = await t.http().get('/health/ready').expect(200);
      expect(res.body.status).toBe('degraded');
      expect(res.body.details.outbox).toEqual({ status: 'degraded', message: 'the outbox could not be read' });
    } finally {
      read.mockRestore();
    }
    expect(sample(await scrape(t.app), 'metrics_collection_up', { source: 'outbox' })).toBe(1);
  });
});
