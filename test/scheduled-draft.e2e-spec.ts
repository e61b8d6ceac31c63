import type { Job } from 'bullmq';
import { ReminderJob } from '../src/jobs/queues';
import { NotificationKind } from '../src/notifications/notification-kind';
import { ReminderSweepService } from '../src/reminders/reminder-sweep.service';
import { RemindersProcessor } from '../src/reminders/reminders.processor';
import { ScheduledDraftService } from '../src/reminders/scheduled-draft.service';
import { setClock } from './support/clock';
import { givenCase, givenMeeting, givenTable, GivenTable, givenTableUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

/**
 * The draft agenda assembled by the schedule, 2 working days before each planned meeting (DOMAIN.md section
 * 4.3), in April 2027 (CEST: 08:00Z is 10:00 in Amsterdam). The reminders worker is paused; the sweep and the
 * jobs are called directly on a moved clock.
 */
describe('the scheduled draft agenda', () => {
  let t: TestApp;
  let table: GivenTable;
  let chair: { id: string; email: string };
  let clock: ReturnType<typeof setClock>;
  const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);

  beforeAll(async () => {
    t = await startTestApp({ seed: false, env: { OUTBOX_LISTEN: 'false' } });
    await t.app.get(RemindersProcessor).worker.pause();
    table = await givenTable(t.dataSource);
    chair = await givenTableUser(t.dataSource, table, 'COA', 'chair');
    await givenTableUser(t.dataSource, table, 'POLICE');
    await givenCase(t.dataSource, table, { status: 'intake' }); // a new case: the draft lists it
    clock = setClock(t, '2027-03-01T09:00:00Z');
  });
  afterAll(async () => {
    clock.restore();
    await t.close();
  });

  /** The meetings the sweep would draft on `date`, after running their jobs as the worker would. */
  async function sweepOn(date: string): Promise<string[]> {
    clock.set(`${date}T09:00:00Z`);
    const { jobs } = await t.app.get(ReminderSweepService).findDue();
    const drafts = jobs.filter((j) => j.name === ReminderJob.DraftAgenda);
    for (const job of drafts) await t.app.get(RemindersProcessor).process({ name: job.name, data: job.data } as Job);
    return drafts.map((j) => (j.data as { meetingId: string }).meetingId);
  }
  const drafted = async (meetingId: string) => (await q(`SELECT agenda_drafted_at FROM meeting WHERE id = $1`, [meetingId]))[0].agenda_drafted_at as Date | null;
  const noticesOf = (meetingId: string) =>
    q(`SELECT recipient_user_id, kind, cause, case_id, resource_type, link FROM notification WHERE resource_id = $1 AND kind = 'agenda_drafted'`, [meetingId]);

  it('drafts 2 working days before the meeting, logs it as the system, and tells the chair once', async () => {
    const { id } = await givenMeeting(t.dataSource, table, { scheduledAt: new Date('2027-04-06T08:00:00Z') }); // Tuesday
    expect(await sweepOn('2027-04-01')).not.toContain(id);
    expect(await drafted(id)).toBeNull();
    expect(await sweepOn('2027-04-02')).toEqual([id]); // Friday: Monday 5 April and Tuesday are left
    expect(await drafted(id)).toEqual(new Date('2027-04-02T09:00:00Z'));
    expect((await q(`SELECT count(*)::int AS n FROM agenda_item WHERE meeting_id = $1`, [id]))[0].n).toBe(1);

    const log = await q(
      `SELECT p.operation_id, p.table_id, p.processing_activity_id IS NOT NULL AS has_activity, a.actor_kind, a.actor_id, a.organisation_id, a.role, a.categories
         FROM processing_log p JOIN audit_log a ON a.operation_id = p.operation_id
        WHERE p.operation_name = 'agenda.draft_by_schedule' AND p.table_id = $1`,
      [table.id],
    );
    expect(log).toEqual([
      { operation_id: expect.any(String), table_id: table.id, has_activity: true, actor_kind: 'system', actor_id: null, organisation_id: null, role: null, categories: ['deliberation'] },
    ]);
    expect(await noticesOf(id)).toEqual([
      { recipient_user_id: chair.id, kind: NotificationKind.AgendaDrafted, cause: `draft:${id}`, case_id: null, resource_type: 'meeting', link: `/api/v1/meetings/${id}/agenda` },
    ]);

    // Drafted: neither a later sweep nor a second run of its job drafts again or tells the chair twice.
    expect(await sweepOn('2027-04-05')).not.toContain(id);
    expect(await t.app.get(ScheduledDraftService).draft(id)).toEqual({ status: 'already_drafted' });
    expect(await drafted(id)).toEqual(new Date('2027-04-02T09:00:00Z'));
    expect(await noticesOf(id)).toHaveLength(1);
    expect((await q(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'agenda.draft_by_schedule' AND table_id = $1`, [table.id]))[0].n).toBe(1);
  });

  it('never drafts again what the chair drafted, nor a published meeting, nor one moved out of its window', async () => {
    const byChair = (await givenMeeting(t.dataSource, table, { scheduledAt: new Date('2027-04-13T08:00:00Z') })).id;
    const published = (await givenMeeting(t.dataSource, table, { scheduledAt: new Date('2027-04-13T12:00:00Z'), status: 'agenda_published' })).id;
    const moved = (await givenMeeting(t.dataSource, table, { scheduledAt: new Date('2027-04-13T14:00:00Z') })).id;

    clock.set('2027-04-07T09:00:00Z');
    const token = (await login(t, chair.email)).accessToken;
    await t.http().post(`/api/v1/meetings/${byChair}/agenda/_draft`).set(bearer(token)).expect(200);
    const chairs = await drafted(byChair);

    clock.set('2027-04-09T09:00:00Z'); // Friday, 2 working days before Tuesday 13 April
    const { jobs } = await t.app.get(ReminderSweepService).findDue();
    expect(jobs.map((j) => (j.data as { meetingId?: string }).meetingId)).toEqual([moved]);
    // Moved to Thursday 15 April after the sweep: its job finds it not due yet.
    await q(`UPDATE meeting SET scheduled_at = '2027-04-15T08:00:00Z' WHERE id = $1`, [moved]);
    expect(await t.app.get(ScheduledDraftService).draft(moved)).toEqual({ status: 'not_due' });
    expect(await t.app.get(ScheduledDraftService).draft(byChair)).toEqual({ status: 'already_drafted' });
    expect(await t.app.get(ScheduledDraftService).draft(published)).toEqual({ status: 'stale' });

    expect(await drafted(byChair)).toEqual(chairs);
    expect(await drafted(published)).toBeNull();
    expect(await drafted(moved)).toBeNull();
    for (const id of [byChair, published, moved]) expect(await noticesOf(id)).toEqual([]);
    expect(await sweepOn('2027-04-13')).toEqual([moved]); // 2 working days before Thursday 15 April
    expect(await noticesOf(moved)).toHaveLength(1);
  });
});
