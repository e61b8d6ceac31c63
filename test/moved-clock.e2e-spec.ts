import { givenAction, givenCase, givenMeeting, givenTable, GivenTable, givenTableUser } from './support/factories';
import { setClock } from './support/clock';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

type Json = Record<string, any>;

/**
 * Time moves in these tests by moving the application's Clock, never by sleeping: the whole app (services,
 * the SQL that takes the Clock's instant, the DTO validators and the logs) follows it. The dates lie in
 * spring 2026, before the real date these tests were written on, so code still reading the real time
 * answers differently and fails them. Amsterdam is UTC+2 then (CEST), so 08:00Z is 10:00 local.
 */
describe('a moved clock moves everything that decides on time', () => {
  let t: TestApp;
  let table: GivenTable;
  let caseId: string;
  const token = { chair: '', police: '' };
  const get = (path: string, who: keyof typeof token) => t.http().get(`/api/v1${path}`).set(bearer(token[who]));
  const post = (path: string, who: keyof typeof token, body: object = {}) => t.http().post(`/api/v1${path}`).set(bearer(token[who])).send(body);

  beforeAll(async () => {
    t = await startTestApp();
    table = await givenTable(t.dataSource);
    caseId = (await givenCase(t.dataSource, table)).id;
    token.chair = (await login(t, (await givenTableUser(t.dataSource, table, 'COA', 'chair')).email)).accessToken;
    token.police = (await login(t, (await givenTableUser(t.dataSource, table, 'POLICE')).email)).accessToken;
  });
  afterAll(() => t.close());

  describe('an action due on Thursday 2 April 2026 (the day before Good Friday)', () => {
    let actionId: string;
    beforeAll(async () => {
      actionId = (await givenAction(t.dataSource, caseId, table.organisations.POLICE!, { dueDate: '2026-04-02' })).id;
    });

    /** The action as the API judges it at `instant`: its own view, the overdue filter, the case's count and the log. */
    async function at(instant: string) {
      const clock = setClock(t, instant);
      try {
        const action = (await get(`/actions/${actionId}`, 'police').expect(200)).body as Json;
        const listed = (await get(`/actions?tableId=${table.id}&overdue=true&limit=100`, 'police').expect(200)).body.items.map((i: Json) => i.id);
        const detail = (await get(`/cases/${caseId}`, 'police').expect(200)).body as Json;
        return { overdue: action.overdue, workingDaysOverdue: action.workingDaysOverdue, listedOverdue: listed.includes(actionId), caseOverdue: detail.overdueActions };
      } finally {
        clock.restore();
      }
    }
    const judged = (overdue: boolean, workingDaysOverdue: number) => ({ overdue, workingDaysOverdue, listedOverdue: overdue, caseOverdue: overdue ? 1 : 0 });

    it('is not overdue on its due date, up to midnight in Amsterdam', async () => {
      expect(await at('2026-04-02T08:00:00Z')).toEqual(judged(false, 0));
      expect(await at('2026-04-02T21:59:00Z')).toEqual(judged(false, 0)); // 23:59 in Amsterdam
    });

    it('is overdue from the next day in Amsterdam, with no working day overdue on Good Friday, Easter Monday and the weekend', async () => {
      expect(await at('2026-04-02T22:30:00Z')).toEqual(judged(true, 0)); // 00:30 on Good Friday in Amsterdam, still the 2nd in UTC
      expect(await at('2026-04-06T08:00:00Z')).toEqual(judged(true, 0)); // Easter Monday
      expect(await at('2026-04-07T08:00:00Z')).toEqual(judged(true, 1)); // Tuesday: the first working day after the due date
      expect(await at('2026-04-10T08:00:00Z')).toEqual(judged(true, 4)); // Friday
      expect(await at('2026-04-11T08:00:00Z')).toEqual(judged(true, 4)); // Saturday
      expect(await at('2026-04-12T08:00:00Z')).toEqual(judged(true, 4)); // Sunday
      expect(await at('2026-04-13T08:00:00Z')).toEqual(judged(true, 5)); // Monday
    });

    it("counts neither King's Day (Monday 27 April) nor Liberation Day (Tuesday 5 May 2026: every year, not only in lustrum years)", async () => {
      expect(await at('2026-04-24T08:00:00Z')).toEqual(judged(true, 14)); // three full weeks of working days since 7 April
      expect(await at('2026-04-27T08:00:00Z')).toEqual(judged(true, 14)); // King's Day
      expect(await at('2026-04-28T08:00:00Z')).toEqual(judged(true, 15));
      expect(await at('2026-05-04T08:00:00Z')).toEqual(judged(true, 19)); // Friday 1 May is a working day
      expect(await at('2026-05-05T08:00:00Z')).toEqual(judged(true, 19)); // Liberation Day
      expect(await at('2026-05-06T08:00:00Z')).toEqual(judged(true, 20));
    });

    it('is logged at the moved time: the logs take their timestamps from the same Clock', async () => {
      await at('2026-04-07T08:00:00Z');
      const [entry] = await t.dataSource.query(
        `SELECT p.started_at, p.ended_at, a.occurred_at FROM processing_log p JOIN audit_log a ON a.operation_id = p.operation_id
          WHERE p.operation_name = 'action.read' ORDER BY p.id DESC LIMIT 1`,
      );
      for (const stamp of [entry.started_at, entry.ended_at, entry.occurred_at]) expect(new Date(stamp).toISOString()).toBe('2026-04-07T08:00:00.000Z');
    });
  });

  describe('meetings', () => {
    it('are generated ahead from the moved now, skipping Liberation Day (Tuesday 5 May 2026)', async () => {
      const clock = setClock(t, '2026-04-29T08:00:00Z');
      try {
        const res = await post(`/tables/${table.id}/meetings/_generate`, 'chair', { weeks: 2 }).expect(200);
        expect(res.body.map((m: Json) => m.scheduledAt)).toEqual(['2026-05-12T08:00:00.000Z']);
      } finally {
        clock.restore();
      }
      const stored = await t.dataSource.query(`SELECT scheduled_at FROM meeting WHERE table_id = $1 AND cadence_slot IS NOT NULL ORDER BY scheduled_at`, [table.id]);
      expect(stored.map((m: { scheduled_at: Date }) => m.scheduled_at.toISOString())).toEqual(['2026-05-12T08:00:00.000Z']);
    });

    it('must be scheduled in the future as the moved clock sees it', async () => {
      const body = { scheduledAt: '2026-04-14T08:00:00Z' };
      const clock = setClock(t, '2026-04-01T08:00:00Z');
      try {
        const added = await post(`/tables/${table.id}/meetings`, 'chair', body).expect(201);
        expect(added.body.scheduledAt).toBe('2026-04-14T08:00:00.000Z');
        clock.set('2026-04-14T08:00:01Z');
        const late = await post(`/tables/${table.id}/meetings`, 'chair', body).expect(400);
        expect(late.body.invalidParams).toEqual([{ name: 'scheduledAt', reason: 'must be in the future' }]);
      } finally {
        clock.restore();
      }
    });
  });

  describe('other checks against "now" in request validation', () => {
    it('refuses an incident that happens after the moved now (with the two minutes allowed for clock drift)', async () => {
      const incident = (occurredAt: string) => ({ kind: 'theft', severity: 'minor', occurredAt });
      const clock = setClock(t, '2026-04-01T08:00:00Z');
      try {
        await post(`/cases/${caseId}/incidents`, 'police', incident('2026-04-01T08:01:00Z')).expect(201);
        const future = await post(`/cases/${caseId}/incidents`, 'police', incident('2026-04-01T08:03:00Z')).expect(400);
        expect(future.body.invalidParams).toEqual([{ name: 'occurredAt', reason: 'must not be in the future' }]);
      } finally {
        clock.restore();
      }
    });

    it("refuses a proposed due date before the moved clock's today in Amsterdam", async () => {
      const { id } = await givenAction(t.dataSource, caseId, table.organisations.POLICE!, { dueDate: '2026-04-02' });
      const replan = (proposedDueDate: string) => post(`/actions/${id}/_replan`, 'police', { proposedDueDate, reason: 'Persoon overgeplaatst' });
      const clock = setClock(t, '2026-04-02T22:30:00Z'); // already Friday 3 April in Amsterdam
      try {
        const past = await replan('2026-04-02').expect(400);
        expect(past.body.invalidParams).toEqual([{ name: 'proposedDueDate', reason: expect.stringContaining('today or later') }]);
        const res = await replan('2026-04-03').expect(200);
        expect(res.body).toMatchObject({ replanRequestedDueDate: '2026-04-03', replanRequestedAt: '2026-04-02T22:30:00.000Z' });
      } finally {
        clock.restore();
      }
    });
  });

  describe('the draft agenda', () => {
    it("judges the open actions as of the moved today, and is stamped at the moved now", async () => {
      const own = await givenTable(t.dataSource);
      const c = await givenCase(t.dataSource, own);
      const chair = (await login(t, (await givenTableUser(t.dataSource, own, 'COA', 'chair')).email)).accessToken;
      await givenAction(t.dataSource, c.id, own.organisations.POLICE!, { dueDate: '2026-04-02' });
      const meeting = await givenMeeting(t.dataSource, own, { scheduledAt: new Date('2026-04-14T08:00:00Z') });
      const draft = async (instant: string) => {
        const clock = setClock(t, instant);
        try {
          const summary = (await t.http().post(`/api/v1/meetings/${meeting.id}/agenda/_draft`).set(bearer(chair)).expect(200)).body;
          const [item] = await t.dataSource.query(`SELECT reasons FROM agenda_item WHERE meeting_id = $1 AND case_id = $2`, [meeting.id, c.id]);
          return { draftedAt: summary.agendaDraftedAt, codes: item.reasons.map((r: Json) => r.code) };
        } finally {
          clock.restore();
        }
      };
      expect(await draft('2026-04-01T08:00:00Z')).toEqual({ draftedAt: '2026-04-01T08:00:00.000Z', codes: ['actions_due'] });
      expect(await draft('2026-04-07T08:00:00Z')).toEqual({ draftedAt: '2026-04-07T08:00:00.000Z', codes: ['overdue_actions'] });
    });
  });
});
