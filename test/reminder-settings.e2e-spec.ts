import { Occasion } from '../src/reminders/reminder-occasion';
import { NoticeJobData, ReminderSweepService } from '../src/reminders/reminder-sweep.service';
import { RemindersProcessor } from '../src/reminders/reminders.processor';
import { setClock } from './support/clock';
import { givenAction, givenCase, givenTable, GivenTable, givenTableUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

const DEFAULTS = {
  actionDueReminderWorkingDays: 2,
  actionOverdueNoticeWorkingDays: 1,
  actionOverdueAlertWorkingDays: 5,
  escalationResponseReminderWorkingDays: 1,
  agendaDraftWorkingDays: 2,
};

describe('GET/PUT /tables/{id}/reminder-settings', () => {
  let t: TestApp;
  let table: GivenTable;
  const token = { chair: '', member: '', outsider: '' };
  const path = () => `/api/v1/tables/${table.id}/reminder-settings`;
  const get = (who: keyof typeof token) => t.http().get(path()).set(bearer(token[who]));
  const put = (who: keyof typeof token, body: object) => t.http().put(path()).set(bearer(token[who])).send(body);
  const rows = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM table_reminder_settings WHERE table_id = $1`, [table.id]))[0].n as number;

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    await t.app.get(RemindersProcessor).worker.pause();
    const ds = t.dataSource;
    table = await givenTable(ds);
    token.chair = (await login(t, (await givenTableUser(ds, table, 'COA', 'chair')).email)).accessToken;
    token.member = (await login(t, (await givenTableUser(ds, table, 'POLICE')).email)).accessToken;
    // A colleague of the chair who chairs another table and has no seat at this one.
    const other = await givenTable(ds, { organisations: { COA: table.organisations.COA } });
    token.outsider = (await login(t, (await givenTableUser(ds, other, 'COA', 'chair')).email)).accessToken;
  });
  afterAll(() => t.close());

  it('shows members the defaults of a table that changed none, and hides the table from outsiders', async () => {
    expect((await get('member').expect(200)).body).toEqual(DEFAULTS);
    expect((await get('outsider').expect(404)).body.code).toBe('not_found');
    expect((await put('outsider', {}).expect(404)).body.code).toBe('not_found');
    expect(await rows()).toBe(0);
  });

  it('lets only the chair change them', async () => {
    expect((await put('member', { actionDueReminderWorkingDays: 3 }).expect(403)).body.code).toBe('chair_only');
    expect(await rows()).toBe(0);
  });

  it('refuses what cannot be counted, naming every field, and changes nothing', async () => {
    const bad = await put('chair', {
      actionDueReminderWorkingDays: 21,
      actionOverdueAlertWorkingDays: 2.5,
      escalationResponseReminderWorkingDays: 'one',
      agendaDraftWorkingDays: 0,
      everyDay: true,
    }).expect(400);
    expect(bad.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual([
      'actionDueReminderWorkingDays',
      'actionOverdueAlertWorkingDays',
      'agendaDraftWorkingDays',
      'escalationResponseReminderWorkingDays',
      'everyDay',
    ]);
    // The chain marine is never alerted before the owners are told.
    const early = await put('chair', { actionOverdueNoticeWorkingDays: 6 }).expect(400);
    expect(early.body.invalidParams).toEqual([{ name: 'actionOverdueAlertWorkingDays', reason: expect.stringContaining('actionOverdueNoticeWorkingDays') }]);
    expect(await rows()).toBe(0);
    await expect(t.dataSource.query(`INSERT INTO table_reminder_settings (table_id, agenda_draft_working_days) VALUES ($1, 21)`, [table.id])).rejects.toThrow(/agenda_draft_check/);
  });

  it("keeps the chair's working days and the sweep counts with them; back on every default, the table has no row", async () => {
    const saved = await put('chair', { actionDueReminderWorkingDays: 3, agendaDraftWorkingDays: 4 }).expect(200);
    expect(saved.body).toEqual({ ...DEFAULTS, actionDueReminderWorkingDays: 3, agendaDraftWorkingDays: 4 });
    expect((await get('member').expect(200)).body).toEqual(saved.body);
    expect(await rows()).toBe(1);

    // An action due Friday 18 June 2027 is reminded 3 working days before, on Tuesday 15 June.
    const c = await givenCase(t.dataSource, table);
    const action = (await givenAction(t.dataSource, c.id, table.organisations.POLICE!, { dueDate: '2027-06-18' })).id;
    const clock = setClock(t, '2027-06-14T09:00:00Z');
    const reminded = async () =>
      (await t.app.get(ReminderSweepService).findDue()).jobs.some((j) => (j.data as NoticeJobData).entityId === action && (j.data as NoticeJobData).occasion === Occasion.ActionDue);
    try {
      expect(await reminded()).toBe(false);
      clock.set('2027-06-15T09:00:00Z');
      expect(await reminded()).toBe(true);
    } finally {
      clock.restore();
    }

    expect((await put('chair', { actionDueReminderWorkingDays: 2, agendaDraftWorkingDays: 2 }).expect(200)).body).toEqual(DEFAULTS);
    expect(await rows()).toBe(0);
  });
});
