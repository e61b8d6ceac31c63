import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { createWorkerContext } from '../src/app.factory';
import { Clock } from '../src/common/clock';
import { AppConfig } from '../src/config/app-config';
import { NotificationJob, QueueName } from '../src/jobs/queues';
import { DomainEventService, DomainEventType } from '../src/notifications/domain-event.service';
import { EarlierEventPending, EventDeliveryService } from '../src/notifications/event-delivery.service';
import { NotificationKind } from '../src/notifications/notification-kind';
import { NotificationProcessor } from '../src/notifications/notification.processor';
import { NotificationService } from '../src/notifications/notification.service';
import { OutboxProcessor } from '../src/notifications/outbox.processor';
import { DELIVERY_JOB_OPTIONS, deliveryJobId, OutboxRelay } from '../src/notifications/outbox-relay.service';
import { givenAction, givenAgendaItem, givenCase, givenMeeting, givenTable, GivenTable, givenTableUser, givenUser } from './support/factories';
import { setClock } from './support/clock';
import { OwnRedis } from './support/own-redis';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the outbox and the notifications of a test app look like. */
function probe(t: TestApp) {
  const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);
  const count = async (sql: string, params: unknown[] = []) => (await q(`SELECT count(*)::int AS n ${sql}`, params))[0].n as number;
  return {
    q,
    count,
    /** Events of the table not delivered yet. */
    undelivered: (tableId: string) => count(`FROM domain_event WHERE table_id = $1 AND delivered_at IS NULL`, [tableId]),
    notifications: (userIds: string[]) => count(`FROM notification WHERE recipient_user_id = ANY($1::uuid[])`, [userIds]),
  };
}

interface Setup {
  table: GivenTable;
  /** Two DT&V officials at the table; the departure interviews go to them. */
  dtvUsers: string[];
  /** A DT&V official who does not sit at the table. */
  dtvElsewhere: string;
  ind: string;
  chair: string;
  chairId: string;
}

async function setUp(t: TestApp): Promise<Setup> {
  const ds = t.dataSource;
  const table = await givenTable(ds);
  const dtvUsers = [(await givenTableUser(ds, table, 'DTV')).id, (await givenTableUser(ds, table, 'DTV')).id];
  const dtvElsewhere = (await givenUser(ds, table.organisations.DTV!)).id;
  const ind = (await login(t, (await givenTableUser(ds, table, 'IND')).email)).accessToken;
  const chairUser = await givenTableUser(ds, table, 'COA', 'chair');
  const chair = (await login(t, chairUser.email)).accessToken;
  return { table, dtvUsers, dtvElsewhere, ind, chair, chairId: chairUser.id };
}

/** A negative IND decision, through the API: the chain automation gives DT&V a departure interview (event action.assigned). */
async function negativeDecision(t: TestApp, s: Setup): Promise<string> {
  const c = await givenCase(t.dataSource, s.table);
  const res = await t.http().post(`/api/v1/cases/${c.id}/ind-decisions`).set(bearer(s.ind)).send({ outcome: 'negative', decidedOn: t.app.get(Clock).today() });
  if (res.status !== 201) throw new Error(`IND decision answered ${res.status}: ${res.text}`);
  return res.body.departureActionId as string;
}

describe('outbox relay and delivery', () => {
  let t: TestApp;
  let s: Setup;
  let relay: OutboxRelay;
  let db: ReturnType<typeof probe>;

  beforeAll(async () => {
    // No NOTIFY and the scheduled relay paused: each test relays when it says so. The consumer runs.
    t = await startTestApp({ seed: false, env: { OUTBOX_LISTEN: 'false' } });
    await t.app.get(OutboxProcessor).worker.pause();
    relay = t.app.get(OutboxRelay);
    db = probe(t);
    s = await setUp(t);
  });
  afterAll(() => t.close());

  it('delivers an event once to each recipient who sits at the table, keyed by its cause, and marks it delivered', async () => {
    const actionId = await negativeDecision(t, s);
    const [event] = await db.q(`SELECT id::text AS id, relayed_at FROM domain_event WHERE aggregate_id = $1 AND type = 'action.assigned'`, [actionId]);
    expect(event.relayed_at).toBeNull();

    await relay.relayPending();
    await eventually(async () => (await db.count(`FROM domain_event WHERE id = $1 AND delivered_at IS NOT NULL`, [event.id])) === 1, 10_000, 'delivered');
    const rows = await db.q(`SELECT * FROM notification WHERE cause = $1 ORDER BY recipient_user_id`, [`event:${event.id}`]);
    expect(rows.map((r: { recipient_user_id: string }) => r.recipient_user_id)).toEqual([...s.dtvUsers].sort());
    const [c] = await db.q(`SELECT c.id, c.reference FROM action a JOIN case_file c ON c.id = a.case_id WHERE a.id = $1`, [actionId]);
    // Kind, table, case id and reference, what it links to; nothing of the person.
    expect(rows[0]).toEqual({
      id: expect.any(String),
      recipient_user_id: [...s.dtvUsers].sort()[0],
      cause: `event:${event.id}`,
      kind: NotificationKind.ActionAssigned,
      table_id: s.table.id,
      case_id: c.id,
      case_reference: c.reference,
      resource_type: 'action',
      resource_id: actionId,
      link: `/api/v1/actions/${actionId}`,
      created_at: expect.any(Date),
      read_at: null,
    });
    expect(await db.q(`SELECT relay_count FROM domain_event WHERE id = $1`, [event.id])).toEqual([{ relay_count: 1 }]);

    // Delivered again (a second job, a re-relay): nothing new.
    expect(await t.app.get(EventDeliveryService).deliver(event.id)).toEqual({ status: 'already_delivered' });
    expect(await db.count(`FROM notification WHERE cause = $1`, [`event:${event.id}`])).toBe(2);
  });

  it('tells the owners of the actions agreed in a meeting when it closes, one notice per action, and not while it is in session', async () => {
    const ds = t.dataSource;
    const c = await givenCase(ds, s.table);
    const meeting = await givenMeeting(ds, s.table, { status: 'in_session' });
    const item = await givenAgendaItem(ds, meeting.id, { caseId: c.id, reasons: [{ code: 'nominated', category: 'deliberation' }] });
    const agreed: string[] = [];
    for (const description of ['Vertrekgesprek plannen', 'Terugkeerdocumenten opvragen']) {
      const res = await t.http().post(`/api/v1/agenda-items/${item.id}/actions`).set(bearer(s.chair))
        .send({ ownerOrganisationId: s.table.organisations.DTV, description, dueDate: t.app.get(Clock).today() }).expect(201);
      agreed.push(res.body.id);
    }
    await relay.relayPending();
    await eventually(async () => (await db.undelivered(s.table.id)) === 0, 10_000, 'the in-session events delivered');
    expect(await db.count(`FROM notification WHERE resource_id = ANY($1::uuid[])`, [agreed])).toBe(0);

    await t.http().post(`/api/v1/meetings/${meeting.id}/_close`).set(bearer(s.chair)).expect(200);
    await relay.relayPending();
    await eventually(async () => (await db.undelivered(s.table.id)) === 0, 10_000, 'the close delivered');
    const rows = await db.q(`SELECT recipient_user_id, resource_id, kind FROM notification WHERE resource_id = ANY($1::uuid[]) ORDER BY resource_id, recipient_user_id`, [agreed]);
    expect(rows).toEqual(
      [...agreed].sort().flatMap((id) => [...s.dtvUsers].sort().map((user) => ({ recipient_user_id: user, resource_id: id, kind: NotificationKind.ActionAgreed }))),
    );

    // DT&V reports one done: the chair is told.
    const [dtv] = await db.q(`SELECT email FROM app_user WHERE id = $1`, [s.dtvUsers[0]]);
    await t.http().post(`/api/v1/actions/${agreed[0]}/_complete`).set(bearer((await login(t, dtv.email)).accessToken)).send({ resultNote: 'Gesprek gevoerd' }).expect(200);
    await relay.relayPending();
    await eventually(async () => (await db.undelivered(s.table.id)) === 0, 10_000, 'the completion delivered');
    expect(await db.q(`SELECT recipient_user_id, kind FROM notification WHERE resource_id = $1 AND kind = 'action_completed'`, [agreed[0]])).toEqual([
      { recipient_user_id: s.chairId, kind: NotificationKind.ActionCompleted },
    ]);
  });

  it('sweeps: an event relayed long ago and not delivered is relayed again only when its job is gone', async () => {
    const consumer = t.app.get(NotificationProcessor).worker;
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    await consumer.pause();
    const clock = setClock(t, new Date());
    try {
      const actionId = await negativeDecision(t, s);
      await relay.relayPending();
      const [event] = await db.q(`SELECT id::text AS id FROM domain_event WHERE aggregate_id = $1`, [actionId]);
      // Past the grace period, but its job still waits in Redis: left alone.
      clock.set(new Date(Date.now() + (t.config.OUTBOX_REDELIVER_AFTER_SECONDS + 1) * 1000));
      expect(await relay.sweep()).toMatchObject({ requeued: [], pending: 1 });
      // The job is lost (as with a Redis that restarted empty): relayed again.
      await queue.remove(deliveryJobId(event.id));
      clock.set(new Date(Date.now() + 2 * (t.config.OUTBOX_REDELIVER_AFTER_SECONDS + 1) * 1000));
      expect(await relay.sweep()).toEqual({ requeued: [event.id], pending: 0 });
      expect(await relay.sweep()).toEqual({ requeued: [], pending: 0 });
      consumer.resume();
      await eventually(async () => (await db.count(`FROM domain_event WHERE id = $1 AND delivered_at IS NOT NULL`, [event.id])) === 1, 10_000, 'delivered');
      expect(await db.q(`SELECT relay_count FROM domain_event WHERE id = $1`, [event.id])).toEqual([{ relay_count: 2 }]);
      expect(await db.count(`FROM notification WHERE cause = $1`, [`event:${event.id}`])).toBe(2);
    } finally {
      clock.restore();
      if (consumer.isPaused()) consumer.resume();
    }
  });

  it('survives the relay crashing between publishing and marking: every effect exactly once', async () => {
    const actions = [await negativeDecision(t, s), await negativeDecision(t, s)];
    const events: string[] = (await db.q(`SELECT id::text AS id FROM domain_event WHERE aggregate_id = ANY($1::uuid[])`, [actions])).map((r: { id: string }) => r.id);
    const delivery = t.app.get(EventDeliveryService);
    const deliveries = jest.spyOn(delivery, 'deliver');
    const consumer = t.app.get(NotificationProcessor).worker;
    try {
      await consumer.pause();
      // Claim and publish, and "crash" before the mark: the transaction ends without it.
      await t.dataSource.transaction(async (m) => {
        const claimed = await relay.claim(m, 500);
        await relay.publish(claimed.filter((e) => e.ready).map((e) => e.id));
      });
      expect(await db.count(`FROM domain_event WHERE id = ANY($1::bigint[]) AND relayed_at IS NULL`, [events])).toBe(2);
      // An extra copy of one of the jobs, under another id: job ids are no guard (removed jobs no longer dedupe).
      const queue = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
      await queue.add(NotificationJob.DeliverEvent, { eventId: events[0] }, { ...DELIVERY_JOB_OPTIONS, jobId: `duplicate-${events[0]}` });
      // The restarted relay publishes them again, and marks them this time.
      await relay.relayPending();
      await consumer.resume();
      await eventually(async () => (await db.count(`FROM domain_event WHERE id = ANY($1::bigint[]) AND delivered_at IS NOT NULL`, [events])) === 2, 10_000, 'delivered');
      await eventually(async () => Object.values(await queue.getJobCounts('waiting', 'active', 'delayed')).every((n) => n === 0), 10_000, 'queue drained');
      expect(deliveries.mock.calls.filter(([id]) => id === events[0]).length).toBeGreaterThanOrEqual(2);
      for (const id of events) expect(await db.count(`FROM notification WHERE cause = $1`, [`event:${id}`])).toBe(2);
      expect(await db.count(`FROM domain_event WHERE id = ANY($1::bigint[]) AND relayed_at IS NOT NULL`, [events])).toBe(2);
    } finally {
      deliveries.mockRestore();
      if (consumer.isPaused()) consumer.resume();
    }
  });

  it('lets two relays claim and two consumers deliver at once, each event once', async () => {
    const consumer = t.app.get(NotificationProcessor).worker;
    await consumer.pause();
    try {
      const actions: string[] = [];
      for (let i = 0; i < 12; i++) actions.push((await givenAction(t.dataSource, (await givenCase(t.dataSource, s.table)).id, s.table.organisations.DTV!)).id);
      await t.dataSource.transaction((m) =>
        t.app.get(DomainEventService).raise(m, ...actions.map((id) => ({ type: DomainEventType.ActionAssigned, tableId: s.table.id, aggregateType: 'action' as const, aggregateId: id }))),
      );
      // A second relay as another process has it: its own instance, its own transactions.
      const other = new OutboxRelay(t.dataSource, t.app.get(getQueueToken(QueueName.Notifications)), { ...t.config, OUTBOX_RELAY_BATCH_SIZE: 5 } as AppConfig, t.app.get(Clock));
      const [a, b] = await Promise.all([other.relayPending(), relay.relayBatch()]);
      expect(a.relayed + b.relayed).toBe(12);
      const events: { id: string; relay_count: number }[] = await db.q(`SELECT id::text AS id, relay_count FROM domain_event WHERE aggregate_id = ANY($1::uuid[]) ORDER BY id`, [actions]);
      expect(events.map((e) => e.relay_count)).toEqual(actions.map(() => 1));

      const delivery = t.app.get(EventDeliveryService);
      const results = await Promise.all(events.flatMap((e) => [delivery.deliver(e.id), delivery.deliver(e.id)]));
      expect(results.filter((r) => r.status === 'delivered')).toHaveLength(12);
      expect(results.filter((r) => r.status === 'already_delivered')).toHaveLength(12);
      expect(await db.count(`FROM notification WHERE resource_id = ANY($1::uuid[])`, [actions])).toBe(24);
    } finally {
      consumer.resume();
    }
  });

  it('keeps the order per aggregate: a later event waits for an earlier one, in the relay and in the consumer', async () => {
    const events = t.app.get(DomainEventService);
    const c = await givenCase(t.dataSource, s.table);
    const x = (await givenAction(t.dataSource, c.id, s.table.organisations.DTV!)).id;
    const y = (await givenAction(t.dataSource, c.id, s.table.organisations.DTV!)).id;
    const raise = (id: string, type = DomainEventType.ActionAssigned) => t.dataSource.transaction((m) => events.raise(m, { type, tableId: s.table.id, aggregateType: 'action', aggregateId: id }));
    await raise(x);
    await raise(x, DomainEventType.ActionCompleted);
    await raise(y);
    const ids = async (id: string): Promise<string[]> => (await db.q(`SELECT id::text AS id FROM domain_event WHERE aggregate_id = $1 ORDER BY id`, [id])).map((r: { id: string }) => r.id);
    const [x1, x2] = await ids(x);
    const [y1] = await ids(y);

    // Another relay holds x's first event: x's second may not overtake it; y goes.
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT id FROM domain_event WHERE id = $1 FOR UPDATE`, [x1]);
      const result = await relay.relayBatch();
      expect(result.deferred).toBeGreaterThanOrEqual(1);
      const relayed = async (id: string) => (await db.q(`SELECT relayed_at FROM domain_event WHERE id = $1`, [id]))[0].relayed_at !== null;
      expect({ x1: await relayed(x1), x2: await relayed(x2), y1: await relayed(y1) }).toEqual({ x1: false, x2: false, y1: true });
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    const consumer = t.app.get(NotificationProcessor).worker;
    await consumer.pause();
    try {
      await relay.relayPending();
      // Delivered out of order (say, x1's job lost): the consumer refuses x2 until x1 is delivered.
      const delivery = t.app.get(EventDeliveryService);
      await expect(delivery.deliver(x2)).rejects.toBeInstanceOf(EarlierEventPending);
      expect((await delivery.deliver(x1)).status).toBe('delivered');
      expect((await delivery.deliver(x2)).status).toBe('delivered');
    } finally {
      consumer.resume();
    }
  });

  it('writes one notification per recipient and cause, whoever writes it twice', async () => {
    const sut = t.app.get(NotificationService);
    const input = { recipients: [...s.dtvUsers, s.dtvUsers[0]], cause: `test:${Date.now()}`, kind: NotificationKind.AgendaPublished, tableId: s.table.id };
    expect(await t.dataSource.transaction((m) => sut.notify(m, input))).toBe(2);
    expect(await t.dataSource.transaction((m) => sut.notify(m, input))).toBe(0);
    expect(await db.count(`FROM notification WHERE cause = $1`, [input.cause])).toBe(2);
    // Recipients are who sits at the table now, of the organisations asked for.
    const recipients = await t.dataSource.transaction((m) => sut.recipientsAt(m, s.table.id, { organisationIds: [s.table.organisations.DTV!], category: 'deliberation' }));
    expect(recipients).toEqual([...s.dtvUsers].sort());
    expect(recipients).not.toContain(s.dtvElsewhere);
  });
});

describe('outbox with two worker processes', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let s: Setup;

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    worker = await createWorkerContext(t.config);
    s = await setUp(t);
  });
  afterAll(async () => {
    await worker?.close();
    await t.close();
  });

  it('relays on commit (NOTIFY), without waiting for the schedule', async () => {
    const db = probe(t);
    const scheduled = [t.app.get(OutboxProcessor).worker, worker.get(OutboxProcessor).worker];
    await Promise.all(scheduled.map((w) => w.pause()));
    try {
      const actionId = await negativeDecision(t, s);
      await eventually(async () => (await db.count(`FROM domain_event WHERE aggregate_id = $1 AND delivered_at IS NOT NULL`, [actionId])) === 1, 5000, 'delivered');
    } finally {
      for (const w of scheduled) w.resume();
    }
  });

  it('delivers every notification exactly once while both relay (on NOTIFY and on schedule) and consume', async () => {
    const before = await probe(t).notifications(s.dtvUsers);
    const db = probe(t);
    for (let i = 0; i < 30; i++) await negativeDecision(t, s);
    await eventually(async () => (await db.undelivered(s.table.id)) === 0, 20_000, 'all delivered');
    expect(await db.notifications(s.dtvUsers)).toBe(before + 60);
    expect(await db.q(`SELECT DISTINCT relay_count FROM domain_event WHERE table_id = $1`, [s.table.id])).toEqual([{ relay_count: 1 }]);
    expect(await db.count(`FROM notification WHERE recipient_user_id = $1`, [s.dtvElsewhere])).toBe(0);
  });
});

describe('outbox with Redis faults (a Redis server of the test\'s own)', () => {
  let redis: OwnRedis;
  let t: TestApp;
  let s: Setup;
  let db: ReturnType<typeof probe>;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    t = await startTestApp({ seed: false, env: { REDIS_URL: redis.url, JOB_SCHEDULE_CHECK_SECONDS: '1', OUTBOX_REDELIVER_AFTER_SECONDS: '1' } });
    db = probe(t);
    s = await setUp(t);
  });
  afterAll(async () => {
    try {
      await redis.start();
      await t.close();
    } finally {
      await redis.stop();
    }
  });

  it('answers every write while Redis is unreachable, and delivers each notification once when it is back', async () => {
    await redis.stop();
    let slowest = 0;
    for (let i = 0; i < 100; i++) {
      const started = Date.now();
      await negativeDecision(t, s);
      slowest = Math.max(slowest, Date.now() - started);
    }
    // No write waited for Redis (a wait would be a reconnect attempt or a command timeout).
    expect(slowest).toBeLessThan(1500);
    expect(await db.count(`FROM domain_event WHERE table_id = $1 AND type = 'action.assigned' AND relayed_at IS NULL`, [s.table.id])).toBe(100);
    expect(await db.notifications(s.dtvUsers)).toBe(0);

    await redis.start();
    await eventually(async () => (await db.undelivered(s.table.id)) === 0, 30_000, 'delivered after Redis returned');
    // 100 actions, two DT&V officials at the table: one notice each, per action.
    expect(await db.notifications(s.dtvUsers)).toBe(200);
    expect(await db.count(`FROM notification WHERE kind = 'action_assigned' AND recipient_user_id = $1`, [s.dtvUsers[0]])).toBe(100);
  }, 60_000);

  it('resumes delivery without a restart when Redis loses its data mid-run, delivering none twice', async () => {
    const consumer = t.app.get(NotificationProcessor).worker;
    const before = await db.notifications(s.dtvUsers);
    await consumer.pause();
    const lost: string[] = [];
    for (let i = 0; i < 10; i++) lost.push(await negativeDecision(t, s));
    await eventually(
      async () => (await db.count(`FROM domain_event WHERE aggregate_id = ANY($1::uuid[]) AND relayed_at IS NOT NULL`, [lost])) === 10,
      10_000,
      'relayed (queued in Redis)',
    );
    await redis.command('FLUSHALL');
    consumer.resume();
    for (let i = 0; i < 10; i++) await negativeDecision(t, s);

    await eventually(async () => (await db.undelivered(s.table.id)) === 0, 30_000, 'everything delivered after the flush');
    expect(await db.notifications(s.dtvUsers)).toBe(before + 40);
    // The ten lost with the flush were relayed a second time by the sweep.
    expect(await db.q(`SELECT DISTINCT relay_count FROM domain_event WHERE aggregate_id = ANY($1::uuid[])`, [lost])).toEqual([{ relay_count: 2 }]);
  }, 60_000);
});
