import { INestApplicationContext, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { createWorkerContext } from '../src/app.factory';
import { Clock } from '../src/common/clock';
import { loadConfig } from '../src/config/app-config';
import { CLAIM_DUE, CLAIM_LAPSED, MailDeliveryRepository } from '../src/mail/mail-delivery.repository';
import { MailDispatcher, mailLeaseMs } from '../src/mail/mail-dispatcher.service';
import { MailProcessor } from '../src/mail/mail.processor';
import { NotificationKind } from '../src/notifications/notification-kind';
import { NotificationService } from '../src/notifications/notification.service';
import { defaultGrants, saveCovenantVersion } from '../src/tables/covenant-writer';
import { setClock } from './support/clock';
import { givenAction, givenCase, givenSubject, givenTable, GivenTable, givenTableUser } from './support/factories';
import { SmtpSink, startSmtpSink } from './support/smtp';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

async function eventually(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  sent_at: Date | null;
  last_error_code: string | null;
  skip_reason: string | null;
  message_id: string;
}

describe('e-mail notifications', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let dispatcher: MailDispatcher;
  let table: GivenTable;
  let dtv: { id: string; email: string };

  const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);
  const delivery = async (id: string): Promise<Delivery> => (await q(`SELECT * FROM email_delivery WHERE id = $1`, [id]))[0];

  /**
   * A notice about an action of a fresh case for `recipient`, written as the consumers write them; `alsoIn`
   * runs in the same transaction (so that nothing is sent before it commits). Returns its e-mail's row id.
   */
  async function notice(recipient: string, options: { alsoIn?: (m: EntityManager) => Promise<unknown>; in?: INestApplicationContext } = {}) {
    const c = await givenCase(t.dataSource, table);
    const action = await givenAction(t.dataSource, c.id, table.organisations.DTV!, { dueDate: '2026-12-24' });
    const app = options.in ?? t.app;
    await app.get(DataSource).transaction(async (m) => {
      await app.get(NotificationService).notify(m, {
        recipients: [recipient],
        cause: `test:${action.id}`,
        kind: NotificationKind.ActionOverdue,
        tableId: table.id,
        case: { id: c.id, reference: c.reference },
        resource: { type: 'action', id: action.id },
        link: `/api/v1/actions/${action.id}`,
      });
      await options.alsoIn?.(m);
    });
    const [row] = await q(`SELECT d.id FROM email_delivery d JOIN notification n ON n.id = d.notification_id WHERE n.cause = $1`, [`test:${action.id}`]);
    return { id: row.id as string, reference: c.reference, actionId: action.id };
  }

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({
      seed: false,
      env: {
        SMTP_URL: sink.url,
        MAIL_FROM: 'Ketentafel <noreply@ketentafel.test>',
        PUBLIC_BASE_URL: 'https://ketentafel.test',
        MAIL_BATCH_SIZE: '5',
        MAIL_CONNECTION_TIMEOUT_MS: '1000',
        MAIL_GREETING_TIMEOUT_MS: '1000',
        MAIL_SOCKET_TIMEOUT_MS: '1000',
        MAIL_SEND_TIMEOUT_MS: '3000',
      },
    });
    // The schedule is paused: each test dispatches when it says so (and commits kick the dispatcher).
    await t.app.get(MailProcessor).worker.pause();
    dispatcher = t.app.get(MailDispatcher);
    table = await givenTable(t.dataSource);
    dtv = await givenTableUser(t.dataSource, table, 'DTV');
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });
  afterEach(async () => {
    await sink.setMode('accept');
    await dispatcher.dispatchPending();
    // What a test left waiting for a later attempt must not reach the next one's moved clock.
    await q(`UPDATE email_delivery SET status = 'skipped', skip_reason = 'test_done', lease_token = NULL, lease_expires_at = NULL WHERE status IN ('pending', 'sending')`);
    sink.received.length = 0;
  });

  it('sends one e-mail per notification to the recipient, Dutch then English, with the case reference and the link, and nothing of the person', async () => {
    const subject = await givenSubject(t.dataSource, {
      vNumber: '8765432109',
      familyName: 'Vandermolenveld',
      givenNames: 'Quirijn Xander',
      dateOfBirth: '1987-06-05',
      nationality: 'ERI',
    });
    const c = await givenCase(t.dataSource, table, { subjectId: subject.id });
    await q(`INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, place, description)
             VALUES ($1, $2, 'violence', 'offence', 'severe', now(), 'Bushalte Stationsplein', 'Probeer-incident met een schaar bij de bushalte')`, [c.id, table.organisations.POLICE]);
    // A real event: a negative IND decision gives DT&V a departure interview (action.assigned), relayed and delivered by the worker.
    const ind = (await login(t, (await givenTableUser(t.dataSource, table, 'IND')).email)).accessToken;
    const decided = await t.http().post(`/api/v1/cases/${c.id}/ind-decisions`).set(bearer(ind))
      .send({ outcome: 'negative', decidedOn: t.app.get(Clock).today() }).expect(201);
    const actionId = decided.body.departureActionId as string;

    await eventually(() => sink.received.length === 1, 15_000, 'the e-mail received');
    await dispatcher.dispatchPending();
    expect(sink.received).toHaveLength(1);
    const [mail] = sink.received;
    const [row] = await q(`SELECT d.* FROM email_delivery d JOIN notification n ON n.id = d.notification_id WHERE n.resource_id = $1`, [actionId]);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, sent_at: expect.any(Date), last_error_code: null, message_id: `<${row.id}@ketentafel.test>` });

    const [due] = await q(`SELECT due_date::text AS d FROM action WHERE id = $1`, [actionId]);
    const dueNl = due.d.split('-').reverse().join('-');
    expect(mail.envelopeTo).toEqual([dtv.email]);
    expect(mail.parsed.messageId).toBe(row.message_id);
    expect(mail.parsed.from?.value).toEqual([{ name: 'Ketentafel', address: 'noreply@ketentafel.test' }]);
    expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.parsed.subject).toBe(`[Ketentafel] Nieuwe afspraak voor uw organisatie – ${c.reference}`);
    const text = mail.parsed.text ?? '';
    const link = `https://ketentafel.test/api/v1/actions/${actionId}`;
    expect(text.indexOf('Er is een nieuwe melding voor u in Ketentafel.')).toBe(0);
    expect(text.indexOf('You have a new notification in Ketentafel.')).toBeGreaterThan(text.indexOf('Openen:'));
    for (const expected of [`Casus:          ${c.reference}`, `Tafel:          ${`LKO ${table.prefix}`}`, `Uiterste datum: ${dueNl}`, `Openen:         ${link}`, `Case:     ${c.reference}`, `Due date: ${due.d}`, `Open:     ${link}`]) {
      expect(text).toContain(expected);
    }

    // Nothing of the person, anywhere in the message as sent (headers, encoded body) or as read.
    const everything = `${mail.raw}\n${mail.parsed.subject}\n${text}`;
    for (const probe of ['8765432109', 'Vandermolenveld', 'Quirijn', 'Xander', '1987-06-05', '05-06-1987', '5 juni 1987', 'Probeer-incident', 'schaar', 'Stationsplein', 'Test user']) {
      expect(everything).not.toContain(probe);
    }
    expect(everything).not.toMatch(/\bERI\b|Eritre/i);

    // Sending it was processing about the case: one processing-log entry, by the system.
    const logged = await q(`SELECT table_id FROM processing_log WHERE operation_name = 'mail.send' AND table_id = $1`, [table.id]);
    expect(logged).toEqual([{ table_id: table.id }]);
  });

  it('has two dispatchers at once send each e-mail once', async () => {
    const other: INestApplicationContext = await createWorkerContext(t.config);
    try {
      await other.get(MailProcessor).worker.pause();
      const ids: string[] = [];
      await t.dataSource.transaction(async (m) => {
        for (let i = 0; i < 24; i++) ids.push(...(await noticeIn(m, dtv.id)));
      });
      const [a, b] = await Promise.all([dispatcher.dispatchPending(), other.get(MailDispatcher).dispatchPending()]);
      await dispatcher.dispatchPending();
      const rows = await q(`SELECT status, attempts, message_id FROM email_delivery WHERE id = ANY($1::uuid[])`, [ids]);
      expect(rows.filter((r: { status: string; attempts: number }) => r.status === 'sent' && r.attempts === 1)).toHaveLength(24);
      const received = sink.received.map((r) => r.parsed.messageId).sort();
      expect(received).toEqual(rows.map((r: { message_id: string }) => r.message_id).sort());
      expect(new Set(received).size).toBe(24);
      // Each sent what it claimed, and together everything once.
      expect(a.sent + b.sent).toBe(24);
    } finally {
      await other.close();
    }
  });

  it('claims disjoint rows in two dispatchers at once, and takes over a crashed one after its lease', async () => {
    const repo = t.app.get(MailDeliveryRepository);
    const clock = setClock(t, '2026-03-02T09:00:00Z');
    try {
      await sink.setMode('down');
      const ids: string[] = [];
      await t.dataSource.transaction(async (m) => {
        for (let i = 0; i < 6; i++) ids.push(...(await noticeIn(m, dtv.id)));
      });
      await dispatcher.dispatchPending();
      await q(`UPDATE email_delivery SET next_attempt_at = $2, attempts = 0 WHERE id = ANY($1::uuid[])`, [ids, new Date('2026-03-02T09:00:00Z')]);
      // Claimed as a dispatcher claims: leased for as long as its batch can take at most.
      const lease = new Date(new Date('2026-03-02T09:00:00Z').getTime() + mailLeaseMs(t.config));
      const [first, second] = await Promise.all([
        repo.claim(new Date('2026-03-02T09:00:00Z'), 100, randomUUID(), lease),
        repo.claim(new Date('2026-03-02T09:00:00Z'), 100, randomUUID(), lease),
      ]);
      const claimed = [...first, ...second].map((r) => r.id).filter((id) => ids.includes(id));
      expect(claimed.sort()).toEqual([...ids].sort());

      // Both "crashed": nothing is sent while their lease holds, and everything once it ran out.
      await sink.setMode('accept');
      await dispatcher.dispatchPending();
      expect(sink.received).toHaveLength(0);
      clock.set(new Date(lease.getTime() + 1000));
      await dispatcher.dispatchPending();
      expect(sink.received).toHaveLength(ids.length);
      for (const id of ids) expect(await delivery(id)).toMatchObject({ status: 'sent', attempts: 2 });
    } finally {
      clock.restore();
    }
  });

  it('claims through its partial indexes, in their order: neither the history of sent e-mails nor every due row is read', async () => {
    const plans: string[] = await t.dataSource.transaction(async (m) => {
      // Without statistics on a small table the planner would rightly scan; forbid that to see which indexes it can use.
      await m.query(`SET LOCAL enable_seqscan = off`);
      const explain = async (sql: string) =>
        ((await m.query(`EXPLAIN ${sql}`, [new Date(), 5, randomUUID(), new Date()])) as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
      return [await explain(CLAIM_LAPSED), await explain(CLAIM_DUE)];
    });
    expect(plans[0]).toContain('email_delivery_sending_lease_idx');
    expect(plans[1]).toContain('email_delivery_pending_due_idx');
    // The batch is read in the index's order and stops at its limit: no sort of everything that is due.
    for (const plan of plans) expect(plan).not.toMatch(/Sort/);
  });

  it('retries while the SMTP server is down, with backoff on the clock, and sends once it is back; gives up after about a day', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z').getTime();
    const clock = setClock(t, new Date(t0));
    try {
      await sink.setMode('down');
      const n = await notice(dtv.id);
      await dispatcher.dispatchPending();
      const first = await delivery(n.id);
      expect(first).toMatchObject({ status: 'pending', attempts: 1, sent_at: null, next_attempt_at: new Date(t0 + 60_000) });
      expect(first.last_error_code).toMatch(/^E[A-Z]+$/);

      await dispatcher.dispatchPending();
      expect((await delivery(n.id)).attempts).toBe(1);
      clock.set(new Date(t0 + 60_000));
      await dispatcher.dispatchPending();
      expect(await delivery(n.id)).toMatchObject({ status: 'pending', attempts: 2, next_attempt_at: new Date(t0 + 60_000 + 120_000) });

      await sink.setMode('accept');
      clock.set(new Date(t0 + 60_000 + 119_000));
      await dispatcher.dispatchPending();
      expect(sink.received).toHaveLength(0);
      clock.set(new Date(t0 + 60_000 + 120_000));
      await dispatcher.dispatchPending();
      expect(await delivery(n.id)).toMatchObject({ status: 'sent', attempts: 3, sent_at: new Date(t0 + 180_000), last_error_code: null });
      expect(sink.received.map((r) => r.parsed.messageId)).toEqual([first.message_id]);

      // The fourteenth attempt is the last: then it is failed, and stays so.
      await sink.setMode('down');
      const last = await notice(dtv.id);
      await dispatcher.dispatchPending();
      await q(`UPDATE email_delivery SET attempts = 13, next_attempt_at = $2 WHERE id = $1`, [last.id, new Date(t0 + 180_000)]);
      await dispatcher.dispatchPending();
      expect(await delivery(last.id)).toMatchObject({ status: 'failed', attempts: 14 });
      clock.set(new Date(t0 + 3 * 86_400_000));
      await sink.setMode('accept');
      await dispatcher.dispatchPending();
      expect((await delivery(last.id)).status).toBe('failed');
      expect(sink.received).toHaveLength(1);
    } finally {
      clock.restore();
    }
  });

  it('fails at once on a 5xx answer (visible in its row and the log), and retries a 4xx', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      await sink.setMode('reject');
      const rejected = await notice(dtv.id);
      await dispatcher.dispatchPending();
      expect(await delivery(rejected.id)).toMatchObject({ status: 'failed', attempts: 1, last_error_code: 'smtp_550', sent_at: null });
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ event: 'mail_delivery_failed', deliveryId: rejected.id, code: 'smtp_550' }), expect.any(String));
      expect(JSON.stringify(warn.mock.calls)).not.toContain(dtv.email);

      await sink.setMode('tempfail');
      const deferred = await notice(dtv.id);
      await dispatcher.dispatchPending();
      expect(await delivery(deferred.id)).toMatchObject({ status: 'pending', attempts: 1, last_error_code: 'smtp_451' });
      expect(sink.received).toHaveLength(0);
    } finally {
      warn.mockRestore();
    }
  });

  it('bounds a hanging SMTP server by the timeouts, before the greeting and in the middle of a message', async () => {
    for (const mode of ['hang', 'stall'] as const) {
      await sink.setMode(mode);
      const started = Date.now();
      const n = await notice(dtv.id);
      await dispatcher.dispatchPending();
      const elapsed = Date.now() - started;
      expect({ mode, bounded: elapsed < 5000 }).toEqual({ mode, bounded: true });
      const row = await delivery(n.id);
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row.last_error_code).toMatch(/^E[A-Z]+$/);
    }
  });

  it('sends no case details to a recipient who left the table, was disabled or lost the category meanwhile', async () => {
    const leaver = await givenTableUser(t.dataSource, table, 'DTV');
    const left = await notice(leaver.id, { alsoIn: (m) => m.query(`UPDATE table_membership SET ended_at = now() WHERE table_id = $1 AND user_id = $2`, [table.id, leaver.id]) });
    const disabledUser = await givenTableUser(t.dataSource, table, 'DTV');
    const disabled = await notice(disabledUser.id, { alsoIn: (m) => m.query(`UPDATE app_user SET disabled_at = now() WHERE id = $1`, [disabledUser.id]) });
    const withoutDeliberation = defaultGrants().filter((g) => !(g.organisationType === 'DTV' && g.category === 'deliberation'));
    const ungranted = await notice(dtv.id, { alsoIn: (m) => saveCovenantVersion(m, table.id, withoutDeliberation, null, 'DT&V zonder beraadslaging') });
    await t.dataSource.transaction((m) => saveCovenantVersion(m, table.id, defaultGrants(), null, 'Standaard'));
    const stayed = await notice(dtv.id);
    await dispatcher.dispatchPending();

    expect(await delivery(left.id)).toMatchObject({ status: 'skipped', skip_reason: 'recipient_not_at_table', attempts: 1 });
    expect(await delivery(disabled.id)).toMatchObject({ status: 'skipped', skip_reason: 'recipient_disabled' });
    expect(await delivery(ungranted.id)).toMatchObject({ status: 'skipped', skip_reason: 'category_not_granted' });
    expect(await delivery(stayed.id)).toMatchObject({ status: 'sent' });
    expect(sink.received.map((r) => r.envelopeTo)).toEqual([[dtv.email]]);
    expect(sink.received[0].parsed.text).toContain(stayed.reference);
    for (const other of [left, disabled, ungranted]) expect(JSON.stringify(sink.received.map((r) => r.raw))).not.toContain(other.reference);
  });

  it('sends nothing about the case of a person who asked for restriction of processing, and writes no processing entry', async () => {
    const before = sink.received.length;
    const mailSendEntries = async () => (await q(`SELECT count(*)::int AS n FROM processing_log WHERE operation_name = 'mail.send'`))[0].n as number;
    const entriesBefore = await mailSendEntries();
    let subjectId = '';
    const restricted = await notice(dtv.id, {
      alsoIn: async (m) => {
        const [row] = await m.query(
          `UPDATE subject s SET restricted_at = now() FROM case_file c, notification n
            WHERE n.cause LIKE 'test:%' AND n.case_id = c.id AND s.id = c.subject_id AND n.created_at = (SELECT max(created_at) FROM notification)
           RETURNING s.id`,
        );
        subjectId = row.id as string;
      },
    });
    await dispatcher.dispatchPending();
    expect(await delivery(restricted.id)).toMatchObject({ status: 'skipped', skip_reason: 'subject_restricted' });
    expect(sink.received.length).toBe(before);
    expect(await mailSendEntries()).toBe(entriesBefore);
    await q(`UPDATE subject SET restricted_at = NULL WHERE id = $1`, [subjectId]);
  });

  it('without SMTP_URL marks what is due skipped, with one log line, instead of letting it pile up', async () => {
    const env = Object.fromEntries(
      Object.entries(t.config)
        .filter(([k, v]) => k !== 'SMTP_URL' && v !== undefined && typeof v !== 'object' && typeof v !== 'function')
        .map(([k, v]) => [k, String(v)]),
    );
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const bare = await createWorkerContext(loadConfig(env));
    try {
      await bare.get(MailProcessor).worker.pause();
      const first = await notice(dtv.id, { in: bare });
      const second = await notice(dtv.id, { in: bare });
      await bare.get(MailDispatcher).dispatchPending();
      for (const n of [first, second]) expect(await delivery(n.id)).toMatchObject({ status: 'skipped', skip_reason: 'mail_not_configured', attempts: 0 });
      expect(warn.mock.calls.filter(([o]) => (o as { event?: string })?.event === 'mail_not_configured')).toHaveLength(1);
    } finally {
      warn.mockRestore();
      await bare.close();
    }
  });

  /** Like `notice`, inside the caller's transaction; returns the e-mail row ids. */
  async function noticeIn(m: EntityManager, recipient: string): Promise<string[]> {
    const c = await givenCase(t.dataSource, table);
    const cause = `test:${randomUUID()}`;
    await t.app.get(NotificationService).notify(m, { recipients: [recipient], cause, kind: NotificationKind.ActionOverdue, tableId: table.id, case: { id: c.id, reference: c.reference }, link: `/api/v1/cases/${c.id}` });
    const rows = await m.query(`SELECT d.id FROM email_delivery d JOIN notification n ON n.id = d.notification_id WHERE n.cause = $1`, [cause]);
    return rows.map((r: { id: string }) => r.id);
  }
});
