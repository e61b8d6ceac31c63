import type { Job } from 'bullmq';
import { EntityManager } from 'typeorm';
import { NotificationKind } from '../src/notifications/notification-kind';
import { NotificationService } from '../src/notifications/notification.service';
import { datesDue } from '../src/reminders/reminder-calendar';
import { Occasion } from '../src/reminders/reminder-occasion';
import { ReminderRepository } from '../src/reminders/reminder.repository';
import { NoticeJobData, ReminderSweepService, SweepJob } from '../src/reminders/reminder-sweep.service';
import { RemindersProcessor } from '../src/reminders/reminders.processor';
import { ReminderNoticeService } from '../src/reminders/reminder-notice.service';
import { defaultGrants } from '../src/tables/covenant-writer';
import { setClock } from './support/clock';
import { givenAction, givenCase, givenTable, GivenTable, givenTableUser, givenUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { ownerClient } from './support/test-database';

/**
 * The reminders, notices and alerts of DOMAIN.md section 8, on the days of spring 2027: Good Friday 26 March,
 * Easter Monday 29 March, King's Day Tuesday 27 April, Liberation Day Wednesday 5 May and Ascension Day
 * Thursday 6 May are not working days. The sweep and the jobs are called directly (the reminders worker is
 * paused), on a moved clock; test/reminder-queue.e2e-spec.ts runs them through the queue.
 */
describe('reminders, notices and alerts between meetings', () => {
  let t: TestApp;
  let table: GivenTable;
  let caseId: string;
  let clock: ReturnType<typeof setClock>;
  const user = { chair: '', police1: '', police2: '', policeAway: '', marine: '', ind: '' };
  const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);

  beforeAll(async () => {
    t = await startTestApp({ seed: false, env: { OUTBOX_LISTEN: 'false' } });
    await t.app.get(RemindersProcessor).worker.pause();
    const ds = t.dataSource;
    table = await givenTable(ds);
    caseId = (await givenCase(ds, table)).id;
    user.chair = (await givenTableUser(ds, table, 'COA', 'chair')).id;
    user.police1 = (await givenTableUser(ds, table, 'POLICE')).id;
    user.police2 = (await givenTableUser(ds, table, 'POLICE')).id;
    user.policeAway = (await givenUser(ds, table.organisations.POLICE!)).id; // of the owner organisation, not seated at the table
    user.marine = (await givenTableUser(ds, table, 'CHAIN_MARINE')).id;
    user.ind = (await givenTableUser(ds, table, 'IND')).id;
    clock = setClock(t, '2027-03-01T09:00:00Z');
  });
  afterAll(async () => {
    clock.restore();
    await t.close();
  });

  /** Sweeps on `date` and runs every job it finds, as the worker would; returns what it found. */
  async function sweepOn(date: string): Promise<SweepJob[]> {
    clock.set(`${date}T09:00:00Z`);
    const { jobs } = await t.app.get(ReminderSweepService).findDue();
    for (const job of jobs) await t.app.get(RemindersProcessor).process({ name: job.name, data: job.data } as Job);
    return jobs;
  }
  const about = (jobs: SweepJob[], id: string) => jobs.filter((j) => (j.data as NoticeJobData).entityId === id).map((j) => (j.data as NoticeJobData).occasion);
  const notices = (resourceId: string): Promise<{ recipient_user_id: string; kind: string; cause: string }[]> =>
    q(`SELECT recipient_user_id, kind, cause FROM notification WHERE resource_id = $1 ORDER BY kind, recipient_user_id`, [resourceId]);
  const to = (kind: NotificationKind, cause: string, ...users: string[]) => [...users].sort().map((u) => ({ recipient_user_id: u, kind, cause }));
  const policeAction = async (dueDate: string) => {
    const { id } = await givenAction(t.dataSource, caseId, table.organisations.POLICE!, { dueDate });
    await q(`UPDATE action SET owner_user_id = $2 WHERE id = $1`, [id, user.police1]);
    return id;
  };

  it('reminds the owners 2 working days before a due date after Easter: Wednesday 24 March, once', async () => {
    const id = await policeAction('2027-03-30'); // the Tuesday after Easter Monday
    expect(about(await sweepOn('2027-03-23'), id)).toEqual([]);
    expect(about(await sweepOn('2027-03-24'), id)).toEqual([Occasion.ActionDue]);
    const cause = `reminder:action-due:${id}:2027-03-30`;
    // The owner organisation's users at the table and the owner user (one of them); not the colleague who is not seated.
    expect(await notices(id)).toEqual(to(NotificationKind.ActionDueSoon, cause, user.police1, user.police2));
    const [row] = await q(`SELECT table_id, case_id, case_reference IS NOT NULL AS has_reference, resource_type, link FROM notification WHERE cause = $1 LIMIT 1`, [cause]);
    expect(row).toEqual({ table_id: table.id, case_id: caseId, has_reference: true, resource_type: 'action', link: `/api/v1/actions/${id}` });
    // Thursday before Good Friday, Good Friday, the weekend, Easter Monday and the due date: handled, not found again.
    for (const date of ['2027-03-25', '2027-03-26', '2027-03-27', '2027-03-29', '2027-03-30']) expect(about(await sweepOn(date), id)).toEqual([]);
    expect(await notices(id)).toHaveLength(2);
  });

  it('tells owners and chair on the first working day overdue, and the chain marine at 5 working days overdue, not at 4', async () => {
    const id = await policeAction('2027-03-25'); // the Thursday before Good Friday: overdue from Good Friday on
    for (const date of ['2027-03-26', '2027-03-27', '2027-03-28', '2027-03-29']) expect(about(await sweepOn(date), id)).toEqual([]);
    expect(about(await sweepOn('2027-03-30'), id)).toEqual([Occasion.ActionOverdue]);
    const notice = `notice:action-overdue:${id}:2027-03-25`;
    expect(await notices(id)).toEqual(to(NotificationKind.ActionOverdue, notice, user.chair, user.police1, user.police2));
    expect(about(await sweepOn('2027-04-02'), id)).toEqual([]); // 4 working days overdue
    expect(about(await sweepOn('2027-04-05'), id)).toEqual([Occasion.ActionOverdueAlert]); // 5
    const alert = `alert:action-overdue:${id}:2027-03-25`;
    expect((await notices(id)).filter((n) => n.kind === NotificationKind.ActionOverdueAlert)).toEqual(to(NotificationKind.ActionOverdueAlert, alert, user.marine));
    expect(about(await sweepOn('2027-04-06'), id)).toEqual([]);
  });

  it("skips King's Day, Liberation Day and Ascension Day", async () => {
    const monday = await policeAction('2027-04-26'); // the day before King's Day
    const friday = await policeAction('2027-05-07'); // after Liberation Day and Ascension Day
    expect(about(await sweepOn('2027-04-22'), monday)).toEqual([Occasion.ActionDue]);
    expect(about(await sweepOn('2027-04-27'), monday)).toEqual([]);
    expect(about(await sweepOn('2027-04-28'), monday)).toEqual([Occasion.ActionOverdue]);
    expect(about(await sweepOn('2027-04-30'), friday)).toEqual([]);
    expect(about(await sweepOn('2027-05-03'), friday)).toEqual([Occasion.ActionDue]);
    expect(about(await sweepOn('2027-05-04'), monday)).toEqual([Occasion.ActionOverdueAlert]); // 28, 29, 30 April, 3, 4 May
  });

  describe('escalations', () => {
    const requested = async (status = 'requested') => {
      const [row] = await q(
        `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, status, reason, response_due_date, requested_at)
         VALUES ($1, 'ind_priority', 'IND', $2, $3, 'Voorrang gevraagd', '2027-04-28', '2027-04-21T09:00:00Z') RETURNING id`,
        [caseId, table.organisations.COA, status],
      );
      return row.id as string;
    };

    it("reminds the target the working day before the deadline, and alerts chair and chain marine when it passed", async () => {
      const id = await requested();
      expect(about(await sweepOn('2027-04-23'), id)).toEqual([]);
      expect(about(await sweepOn('2027-04-26'), id)).toEqual([Occasion.EscalationDue]); // King's Day lies between
      const reminder = `reminder:escalation-due:${id}:2027-04-28`;
      expect(await notices(id)).toEqual(to(NotificationKind.EscalationResponseDue, reminder, user.ind));
      expect(about(await sweepOn('2027-04-28'), id)).toEqual([]); // the deadline day: still time
      expect(about(await sweepOn('2027-04-29'), id)).toEqual([Occasion.EscalationOverdue]);
      const alert = `alert:escalation-overdue:${id}:2027-04-28`;
      expect((await notices(id)).filter((n) => n.kind === NotificationKind.EscalationResponseOverdue)).toEqual(
        to(NotificationKind.EscalationResponseOverdue, alert, user.chair, user.marine),
      );
    });

    it('tells nobody about an escalation answered meanwhile', async () => {
      const id = await requested();
      await q(`UPDATE escalation SET status = 'accepted' WHERE id = $1`, [id]);
      for (const date of ['2027-04-26', '2027-04-29', '2027-04-30']) expect(about(await sweepOn(date), id)).toEqual([]);
      // A job enqueued before the answer finds it answered.
      expect(await t.app.get(ReminderNoticeService).send(Occasion.EscalationOverdue, id, '2027-04-28')).toEqual({ status: 'stale' });
      expect(await notices(id)).toEqual([]);
    });
  });

  it('reads what is due page by page: every due occasion once, skipping handled and closed ones, however many fall due', async () => {
    clock.set('2027-09-13T09:00:00Z'); // Monday; due Wednesday 15 September is 2 working days ahead
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await policeAction('2027-09-15'));
    const repository = t.app.get(ReminderRepository);
    // Two handled already, one on a closed case: the pages still go on past them.
    const sorted = [...ids].sort();
    for (const id of [sorted[1], sorted[4]]) {
      await q(`INSERT INTO reminder_occasion (cause, table_id, recipient_count, handled_at) VALUES ($1, $2, 1, now())`, [`reminder:action-due:${id}:2027-09-15`, table.id]);
    }
    const otherCase = await givenCase(t.dataSource, table);
    await q(`UPDATE action SET case_id = $2 WHERE id = $1`, [sorted[5], otherCase.id]);
    await q(`UPDATE case_file SET status = 'closed', closed_at = now() WHERE id = $1`, [otherCase.id]);
    const windows = datesDue('2027-09-13', 2, 'before').map((date) => ({ workingDays: 2, date }));
    const found: string[] = [];
    let pages = 0;
    let after: { id: string; date: string } | undefined;
    do {
      const page = await repository.findDueOccasions(t.dataSource.manager, Occasion.ActionDue, windows, 2, after);
      found.push(...page.due.map((d) => d.id));
      after = page.next;
      pages += 1;
    } while (after && pages < 20);
    expect(found).toEqual([sorted[0], sorted[2], sorted[3], sorted[6]]);
    expect(pages).toBe(4); // 2 + 2 + 2 + 1 candidates
    // The sweep, paging the same way, enqueues them in one batch job.
    const { found: counts } = await t.app.get(ReminderSweepService).findDue();
    expect(counts[Occasion.ActionDue]).toBe(4);
    await q(`UPDATE action SET status = 'done' WHERE id = ANY($1::uuid[])`, [ids]);
  });

  it('writes each notice once when the sweep and its jobs run twice or at once, and reminds a re-planned action again', async () => {
    const id = await policeAction('2027-06-17');
    clock.set('2027-06-15T09:00:00Z');
    const sweeper = t.app.get(ReminderSweepService);
    const [a, b] = await Promise.all([sweeper.findDue(), sweeper.findDue()]);
    expect(about(a.jobs, id)).toEqual([Occasion.ActionDue]);
    expect(about(b.jobs, id)).toEqual([Occasion.ActionDue]);
    const service = t.app.get(ReminderNoticeService);
    const results = await Promise.all([1, 2, 3].map(() => service.send(Occasion.ActionDue, id, '2027-06-17')));
    expect(results.reduce((n, r) => n + (r.status === 'sent' ? r.notifications : 0), 0)).toBe(2);
    expect(await service.send(Occasion.ActionDue, id, '2027-06-17')).toEqual({ status: 'already_handled' });
    expect(await notices(id)).toHaveLength(2);
    expect(await q(`SELECT recipient_count FROM reminder_occasion WHERE cause = $1`, [`reminder:action-due:${id}:2027-06-17`])).toEqual([{ recipient_count: 2 }]);

    // Re-planned to Monday 21 June: a new occasion, reminded on Thursday 17 June; the old job is stale.
    await q(`UPDATE action SET due_date = '2027-06-21' WHERE id = $1`, [id]);
    expect(await service.send(Occasion.ActionDue, id, '2027-06-17')).toEqual({ status: 'stale' });
    expect(about(await sweepOn('2027-06-16'), id)).toEqual([]);
    expect(about(await sweepOn('2027-06-17'), id)).toEqual([Occasion.ActionDue]);
    expect((await notices(id)).map((n) => n.cause)).toEqual(expect.arrayContaining([`reminder:action-due:${id}:2027-06-21`]));
    expect(await notices(id)).toHaveLength(4);
  });

  it('tells only users seated at the table whose organisation the covenant grants deliberation, and alerts only the chain marine', async () => {
    const ds = t.dataSource;
    const grants = defaultGrants().filter((g) => !(g.organisationType === 'POLICE' && g.category === 'deliberation'));
    const narrow = await givenTable(ds, { grants });
    const c = await givenCase(ds, narrow);
    const police = (await givenTableUser(ds, narrow, 'POLICE')).id;
    const om = (await givenTableUser(ds, narrow, 'OM')).id;
    const marine = (await givenTableUser(ds, narrow, 'CHAIN_MARINE')).id;
    const byPolice = (await givenAction(ds, c.id, narrow.organisations.POLICE!, { dueDate: '2027-07-01' })).id;
    const byOm = (await givenAction(ds, c.id, narrow.organisations.OM!, { dueDate: '2027-06-21' })).id;
    const spy = jest.spyOn(t.app.get(NotificationService), 'notifyManyCounted');
    try {
      await sweepOn('2027-06-29'); // 2 working days before 1 July; 6 working days after 21 June
      expect(await notices(byPolice)).toEqual([]);
      expect(await q(`SELECT recipient_count FROM reminder_occasion WHERE cause = $1`, [`reminder:action-due:${byPolice}:2027-07-01`])).toEqual([{ recipient_count: 0 }]);
      const alert = spy.mock.calls.flatMap(([, notices]) => notices).find((n) => n.resource?.id === byOm && n.kind === NotificationKind.ActionOverdueAlert)!;
      expect(alert).toMatchObject({ recipients: [marine], organisations: [narrow.organisations.CHAIN_MARINE] });
      expect((await notices(byOm)).filter((n) => n.kind === NotificationKind.ActionOverdueAlert).map((n) => n.recipient_user_id)).toEqual([marine]);
      // The overdue notice goes to the owner (OM), never to the police, who are not granted deliberation.
      expect((await notices(byOm)).map((n) => n.recipient_user_id)).not.toContain(police);
      expect((await notices(byOm)).map((n) => n.recipient_user_id)).toContain(om);
    } finally {
      spy.mockRestore();
    }
  });

  it('reads only the window of open actions, requested escalations and undrafted meetings, by their partial indexes', async () => {
    // 60,000 actions (most done), 6,000 escalations and 3,000 meetings over three years, with statistics; rolled back.
    const owner = await ownerClient(t.db);
    const plans: string[] = [];
    try {
      await owner.query('BEGIN');
      const spread = (i: string) => `DATE '2026-01-01' + (${i} % 1100)`;
      await owner.query(
        `INSERT INTO action (case_id, owner_organisation_id, description, due_date, status)
         SELECT $1, $2, 'Volume', ${spread('g')}, CASE WHEN g % 5 = 0 THEN 'open' ELSE 'done' END FROM generate_series(1, 60000) g`,
        [caseId, table.organisations.POLICE],
      );
      await owner.query(
        `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, status, response_due_date)
         SELECT $1, 'ind_priority', 'IND', $2, CASE WHEN g % 4 = 0 THEN 'requested' ELSE 'completed' END, ${spread('g')} FROM generate_series(1, 6000) g`,
        [caseId, table.organisations.COA],
      );
      await owner.query(
        `INSERT INTO meeting (table_id, scheduled_at, status, agenda_drafted_at)
         SELECT $1, TIMESTAMPTZ '2026-01-01 09:00Z' + g * interval '9 hours', CASE WHEN g % 3 = 0 THEN 'planned' ELSE 'closed' END,
                CASE WHEN g % 2 = 0 THEN TIMESTAMPTZ '2026-01-01 09:00Z' END
           FROM generate_series(1, 3000) g`,
        [table.id],
      );
      await owner.query('ANALYZE action; ANALYZE escalation; ANALYZE meeting');
      // Hands the repository's statements to EXPLAIN instead of running them.
      const explaining = {
        query: async (sql: string, params: unknown[]) => {
          plans.push(JSON.stringify((await owner.query(`EXPLAIN ${sql}`, params)).rows));
          return [];
        },
      } as unknown as EntityManager;
      const repository = t.app.get(ReminderRepository);
      const windows = (n: number, direction: 'before' | 'after') => datesDue('2027-06-15', n, direction).map((date) => ({ workingDays: n, date }));
      await repository.findDueOccasions(explaining, Occasion.ActionOverdue, windows(1, 'after'), 100);
      await repository.findDueOccasions(explaining, Occasion.EscalationDue, windows(1, 'before'), 100);
      await repository.findMeetingsToDraft(explaining, windows(2, 'before'), new Date('2027-06-15T09:00:00Z'), 100);
    } finally {
      await owner.query('ROLLBACK');
      await owner.end();
    }
    expect(plans[0]).toContain('action_open_due_date_idx');
    expect(plans[1]).toContain('escalation_requested_response_due_idx');
    expect(plans[2]).toContain('meeting_planned_undrafted_idx');
    for (const plan of plans) expect(plan).not.toMatch(/Seq Scan on (action|escalation|meeting)\b/);
  });
});
