import { randomUUID } from 'node:crypto';
import { NotificationKind } from '../src/notifications/notification-kind';
import { NotificationService } from '../src/notifications/notification.service';
import { OutboxRelay } from '../src/notifications/outbox-relay.service';
import { defaultGrants, saveCovenantVersion } from '../src/tables/covenant-writer';
import { setClock } from './support/clock';
import { givenAction, givenCase, givenOrganisation, givenTable, GivenTable, givenTableUser } from './support/factories';
import { bearer, login, partnerToken, startTestApp, TestApp } from './support/test-app';

async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the in-app inbox', () => {
  let t: TestApp;
  let table: GivenTable;
  let other: GivenTable;
  const user = { dtv: { id: '', token: '' }, dtv2: { id: '', token: '' }, ind: { id: '', token: '' } };
  let chair: string;
  let admin: string;

  const get = (path: string, token: string) => t.http().get(`/api/v1${path}`).set(bearer(token));
  const post = (path: string, token: string, body: object = {}) => t.http().post(`/api/v1${path}`).set(bearer(token)).send(body);
  const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);

  /** A notice about an action of a fresh case, for `recipients`, written as the consumers write them. */
  async function notice(recipients: string[], options: { at?: GivenTable; kind?: NotificationKind } = {}) {
    const at = options.at ?? table;
    const c = await givenCase(t.dataSource, at);
    const action = await givenAction(t.dataSource, c.id, at.organisations.DTV!, { dueDate: '2026-12-24' });
    const cause = `test:${action.id}`;
    await t.dataSource.transaction((m) =>
      t.app.get(NotificationService).notify(m, {
        recipients,
        cause,
        kind: options.kind ?? NotificationKind.ActionAssigned,
        tableId: at.id,
        case: { id: c.id, reference: c.reference },
        resource: { type: 'action', id: action.id },
        link: `/api/v1/actions/${action.id}`,
      }),
    );
    const [row] = await q(`SELECT id FROM notification WHERE cause = $1 AND recipient_user_id = $2`, [cause, recipients[0]]);
    return { id: row.id as string, caseId: c.id, reference: c.reference, actionId: action.id, subjectId: c.subjectId };
  }

  beforeAll(async () => {
    t = await startTestApp();
    const dtvOrg = await givenOrganisation(t.dataSource, 'DTV');
    table = await givenTable(t.dataSource, { organisations: { DTV: dtvOrg } });
    other = await givenTable(t.dataSource, { memberTypes: ['COA', 'DTV'], organisations: { DTV: dtvOrg } });
    for (const [key, type] of [['dtv', 'DTV'], ['dtv2', 'DTV'], ['ind', 'IND']] as const) {
      const u = await givenTableUser(t.dataSource, table, type);
      user[key] = { id: u.id, token: (await login(t, u.email)).accessToken };
    }
    chair = (await login(t, (await givenTableUser(t.dataSource, table, 'COA', 'chair')).email)).accessToken;
    admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
  });
  afterAll(() => t.close());

  it("shows each user their own notifications only; someone else's is not found", async () => {
    const mine = await notice([user.dtv.id]);
    const theirs = await notice([user.dtv2.id]);
    const list = (await get('/inbox?limit=100', user.dtv.token).expect(200)).body.items.map((i: { id: string }) => i.id);
    expect(list).toContain(mine.id);
    expect(list).not.toContain(theirs.id);

    expect((await post(`/inbox/${theirs.id}/_read`, user.dtv.token).expect(404)).body).toMatchObject({ code: 'not_found', detail: 'Notification was not found.' });
    expect((await q(`SELECT read_at FROM notification WHERE id = $1`, [theirs.id]))[0].read_at).toBeNull();
    await post(`/inbox/${mine.id}/_read`, user.dtv.token).expect(200);
    // Partner systems have no inbox.
    const client = await partnerToken(t, admin, table.organisations.DTV!, ['actions:read']);
    expect((await get('/inbox', client).expect(403)).body.code).toBe('permission_denied');
  });

  it('lists newest first, a page at a time, filters unread, counts unread, and marks read once', async () => {
    const ind = user.ind;
    const clock = setClock(t, '2026-11-02T09:00:00Z');
    const made: string[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        clock.set(new Date(Date.UTC(2026, 10, 2, 9, i)));
        made.push((await notice([ind.id])).id);
      }
    } finally {
      clock.restore();
    }
    const first = (await get('/inbox?limit=2', ind.token).expect(200)).body;
    const second = (await get(`/inbox?limit=2&cursor=${first.nextCursor}`, ind.token).expect(200)).body;
    const third = (await get(`/inbox?limit=2&cursor=${second.nextCursor}`, ind.token).expect(200)).body;
    expect([...first.items, ...second.items, ...third.items].map((i: { id: string }) => i.id)).toEqual([...made].reverse());
    expect(third.nextCursor).toBeNull();
    expect(first.items[0]).toMatchObject({ kind: 'action_assigned', createdAt: '2026-11-02T09:04:00.000Z', readAt: null });
    expect((await get('/inbox?cursor=bm9wZQ', ind.token).expect(400)).body.invalidParams[0].name).toBe('cursor');

    expect((await get('/inbox/unread-count', ind.token).expect(200)).body).toEqual({ unread: 5 });
    const read = (await post(`/inbox/${made[1]}/_read`, ind.token).expect(200)).body;
    expect(read.readAt).toEqual(expect.any(String));
    // Idempotent: the first read time stays.
    expect((await post(`/inbox/${made[1]}/_read`, ind.token).expect(200)).body.readAt).toBe(read.readAt);
    expect((await get('/inbox/unread-count', ind.token).expect(200)).body).toEqual({ unread: 4 });
    expect((await get('/inbox?unread=true', ind.token).expect(200)).body.items.map((i: { id: string }) => i.id)).not.toContain(made[1]);
    expect((await get('/inbox?unread=false', ind.token).expect(200)).body.items.map((i: { id: string }) => i.id)).toEqual([made[1]]);

    expect((await post('/inbox/_read', ind.token).expect(200)).body).toEqual({ marked: 4 });
    expect((await get('/inbox/unread-count', ind.token).expect(200)).body).toEqual({ unread: 0 });
    expect((await q(`SELECT read_at FROM notification WHERE id = $1`, [made[1]]))[0].read_at.toISOString()).toBe(read.readAt);
  });

  it('shows a notice about no table, case or category (a failed webhook delivery) to its recipient whole; one of a category stays bare', async () => {
    const write = (kind: NotificationKind, resource: { type: 'webhook_delivery' | 'action'; id: string }, link: string) =>
      t.dataSource.transaction((m) =>
        t.app.get(NotificationService).notify(m, { recipients: [user.dtv2.id], cause: `test:${resource.id}`, kind, tableId: null, resource, link }),
      );
    const deliveryId = randomUUID();
    const link = `/api/v1/webhook-subscriptions/${randomUUID()}/deliveries?status=failed`;
    await write(NotificationKind.WebhookDeliveryFailed, { type: 'webhook_delivery', id: deliveryId }, link);
    const actionId = randomUUID();
    await write(NotificationKind.ActionAssigned, { type: 'action', id: actionId }, `/api/v1/actions/${actionId}`);
    const items = (await get('/inbox?limit=100', user.dtv2.token).expect(200)).body.items;
    const failed = items.find((i: { resourceId?: string }) => i.resourceId === deliveryId);
    expect(failed).toEqual({ id: expect.any(String), kind: 'webhook_delivery_failed', createdAt: expect.any(String), readAt: null, resourceType: 'webhook_delivery', resourceId: deliveryId, link });
    expect((await post(`/inbox/${failed.id}/_read`, user.dtv2.token).expect(200)).body).toMatchObject({ resourceId: deliveryId, link });
    // Without a table nobody can be granted the category of a notice that has one: only its kind and times.
    const [row] = await q(`SELECT id FROM notification WHERE cause = $1`, [`test:${actionId}`]);
    expect(items.find((i: { id: string }) => i.id === row.id)).toEqual({ id: row.id, kind: 'action_assigned', createdAt: expect.any(String), readAt: null });
  });

  it("shows what a notification is about only while the reader sits at the case's table and is granted its category", async () => {
    const n = await notice([user.dtv.id]);
    const item = async () => (await get('/inbox?limit=100', user.dtv.token).expect(200)).body.items.find((i: { id: string }) => i.id === n.id);
    expect(await item()).toEqual({
      id: n.id,
      kind: 'action_assigned',
      createdAt: expect.any(String),
      readAt: null,
      tableId: table.id,
      caseId: n.caseId,
      caseReference: n.reference,
      resourceType: 'action',
      resourceId: n.actionId,
      link: `/api/v1/actions/${n.actionId}`,
      dueDate: '2026-12-24',
    });
    const bare = { id: n.id, kind: 'action_assigned', createdAt: expect.any(String), readAt: null };

    // The covenant stops granting DT&V deliberation: that an action exists is no longer theirs to see.
    const withoutDeliberation = defaultGrants().filter((g) => !(g.organisationType === 'DTV' && g.category === 'deliberation'));
    await t.dataSource.transaction((m) => saveCovenantVersion(m, table.id, withoutDeliberation, null, 'DT&V zonder beraadslaging'));
    expect(await item()).toEqual(bare);
    await t.dataSource.transaction((m) => saveCovenantVersion(m, table.id, defaultGrants(), null, 'Standaard'));
    expect(await item()).toMatchObject({ caseReference: n.reference });

    // The case moves to a table where the reader's organisation sits but the reader does not.
    await post(`/cases/${n.caseId}/transfers`, chair, { toTableId: other.id, reason: 'Overplaatsing' }).expect(201);
    expect(await item()).toEqual(bare);
    await q(`UPDATE case_file SET table_id = $2 WHERE id = $1`, [n.caseId, table.id]);

    // The reader leaves the table.
    await q(`UPDATE table_membership SET ended_at = now() WHERE table_id = $1 AND user_id = $2`, [table.id, user.dtv.id]);
    try {
      expect(await item()).toEqual(bare);
    } finally {
      await q(`UPDATE table_membership SET ended_at = NULL WHERE table_id = $1 AND user_id = $2`, [table.id, user.dtv.id]);
    }
  });

  it('logs the read of notifications about cases, one processing-log entry per subject', async () => {
    const a = await notice([user.dtv2.id]);
    const b = await notice([user.dtv2.id]);
    const res = await get('/inbox?limit=2', user.dtv2.token).expect(200);
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([b.id, a.id]);
    const entries = await q(`SELECT operation_name, table_id FROM processing_log WHERE trace_id = $1`, [res.headers['x-request-id']]);
    expect(entries).toEqual([
      { operation_name: 'inbox.read', table_id: table.id },
      { operation_name: 'inbox.read', table_id: table.id },
    ]);
    const [audit] = await q(`SELECT action, categories, subject_count FROM audit_log WHERE trace_id = $1`, [res.headers['x-request-id']]);
    expect(audit).toEqual({ action: 'inbox.read', categories: ['deliberation'], subject_count: 2 });
  });

  it('receives the notices of the weekly cycle: an escalation requested of its organisation, an agenda published at its table', async () => {
    const relay = t.app.get(OutboxRelay);
    const c = await givenCase(t.dataSource, table);
    const [escalation] = await q(
      `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id) VALUES ($1, 'ttov_referral', 'DTV', $2) RETURNING id`,
      [c.id, table.organisations.COA],
    );
    await q(`INSERT INTO escalation_event (escalation_id, to_status, reason, actor_kind, actor_organisation_id) VALUES ($1, 'proposed', 'Voorstel', 'user', $2)`, [
      escalation.id,
      table.organisations.COA,
    ]);
    await post(`/escalations/${escalation.id}/_request`, chair, { reason: 'Geen medewerking aan vertrek' }).expect(200);
    await relay.relayPending();
    const kinds = async (who: { id: string }) =>
      (await q(`SELECT kind FROM notification WHERE recipient_user_id = $1 AND resource_id = $2`, [who.id, escalation.id])).map((r: { kind: string }) => r.kind);
    await eventually(async () => (await kinds(user.dtv)).length === 1, 10_000, 'the DT&V official told');
    expect({ dtv: await kinds(user.dtv), dtv2: await kinds(user.dtv2), ind: await kinds(user.ind) }).toEqual({
      dtv: ['escalation_requested'],
      dtv2: ['escalation_requested'],
      ind: [],
    });
    const item = (await get('/inbox?limit=1', user.dtv.token).expect(200)).body.items[0];
    expect(item).toMatchObject({ kind: 'escalation_requested', caseReference: c.reference, link: `/api/v1/escalations/${escalation.id}`, dueDate: expect.any(String) });

    const [meeting] = await q(`INSERT INTO meeting (table_id, scheduled_at) VALUES ($1, now() + interval '5 days') RETURNING id`, [table.id]);
    await post(`/meetings/${meeting.id}/agenda/_draft`, chair).expect(200);
    await post(`/meetings/${meeting.id}/agenda/_publish`, chair).expect(200);
    await relay.relayPending();
    const members = await q(`SELECT user_id FROM table_membership WHERE table_id = $1 AND ended_at IS NULL ORDER BY user_id`, [table.id]);
    await eventually(async () => (await q(`SELECT 1 FROM notification WHERE resource_id = $1`, [meeting.id])).length === members.length, 10_000, 'every member told');
    const agenda = (await get('/inbox?limit=1', user.ind.token).expect(200)).body.items[0];
    expect(agenda).toEqual({
      id: expect.any(String),
      kind: 'agenda_published',
      createdAt: expect.any(String),
      readAt: null,
      tableId: table.id,
      resourceType: 'meeting',
      resourceId: meeting.id,
      link: `/api/v1/meetings/${meeting.id}/agenda`,
    });
  });
});
