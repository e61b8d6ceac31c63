import { amsterdamDate } from '../src/common/working-days';
import { defaultGrants } from '../src/tables/covenant-writer';
import { givenAction, givenAgendaItem, givenCase, givenMeeting, givenTable, GivenTable, givenTableUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;
const dateIn = (days: number) => amsterdamDate(new Date(Date.now() + days * DAY));

describe('the session', () => {
  let t: TestApp;
  let table: GivenTable;
  let other: GivenTable;
  let c: { id: string; subjectId: string; reference: string };
  let meetingId: string;
  let itemId: string;
  let topicId: string;
  const earlier: Record<'done' | 'replanned' | 'cancelled' | 'notActedOn', string> = { done: '', replanned: '', cancelled: '', notActedOn: '' };
  let reportedDone: string;
  const token = { chair: '', police: '', municipality: '', otherChair: '' };
  let policeUserId: string;

  const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);
  const count = async (sql: string, params: unknown[] = []) => (await q(`SELECT count(*)::int AS n ${sql}`, params))[0].n as number;
  type EventRow = { aggregate_id: string; table_id: string; payload: Record<string, unknown> };
  const events = (type: string): Promise<EventRow[]> => q(`SELECT aggregate_id, table_id, payload FROM domain_event WHERE type = $1 ORDER BY id`, [type]);
  const logged = (operation: string) => count(`FROM processing_log WHERE operation_name = $1 AND table_id = $2`, [operation, table.id]);
  const call = (method: 'post' | 'put' | 'get', path: string, who: string, body?: object) => t.http()[method](`/api/v1${path}`).set(bearer(who)).send(body);
  const status = async (id: string) => (await q(`SELECT status FROM meeting WHERE id = $1`, [id]))[0].status as string;

  beforeAll(async () => {
    t = await startTestApp();
    // The municipality sits at the table but is not granted deliberation: it sees who is discussed, not what was decided.
    table = await givenTable(t.dataSource, { grants: defaultGrants().filter((g) => !(g.organisationType === 'MUNICIPALITY' && g.category === 'deliberation')) });
    other = await givenTable(t.dataSource, { memberTypes: ['COA', 'POLICE'] });
    c = await givenCase(t.dataSource, table);
    const police = await givenTableUser(t.dataSource, table, 'POLICE');
    policeUserId = police.id;
    token.chair = (await login(t, (await givenTableUser(t.dataSource, table, 'COA', 'chair')).email)).accessToken;
    token.police = (await login(t, police.email)).accessToken;
    token.municipality = (await login(t, (await givenTableUser(t.dataSource, table, 'MUNICIPALITY')).email)).accessToken;
    token.otherChair = (await login(t, (await givenTableUser(t.dataSource, other, 'COA', 'chair')).email)).accessToken;
    // Actions agreed at an earlier meeting, still open when this one opens.
    for (const key of Object.keys(earlier) as (keyof typeof earlier)[]) {
      earlier[key] = (await givenAction(t.dataSource, c.id, table.organisations.POLICE!, { dueDate: dateIn(-3) })).id;
    }
    reportedDone = (await givenAction(t.dataSource, c.id, table.organisations.POLICE!)).id;
    meetingId = (await givenMeeting(t.dataSource, table, { status: 'agenda_published' })).id;
    itemId = (await givenAgendaItem(t.dataSource, meetingId, { caseId: c.id, reasons: [{ code: 'overdue_actions', detail: '4', category: 'deliberation', origin: 'draft' }] })).id;
    topicId = (await givenAgendaItem(t.dataSource, meetingId, { topic: 'Samenwerking met de vervoerder' })).id;
  });
  afterAll(() => t.close());

  describe('before the meeting is open', () => {
    it('shows a draft agenda in the session screen to the chair only, as the agenda screen does', async () => {
      const planned = (await givenMeeting(t.dataSource, table)).id;
      await givenAgendaItem(t.dataSource, planned, { caseId: c.id, reasons: [{ code: 'overdue_actions', detail: '4', category: 'deliberation', origin: 'draft' }] });
      const member = await call('get', `/meetings/${planned}/session`, token.police).expect(409);
      expect(member.body.code).toBe('agenda_not_published');
      await call('get', `/meetings/${planned}/agenda`, token.police).expect(409);
      const chair = await call('get', `/meetings/${planned}/session`, token.chair).expect(200);
      expect(chair.body.items).toHaveLength(1);
    });

    it('refuses every session write on a published or planned meeting (409) and changes nothing', async () => {
      const planned = (await givenMeeting(t.dataSource, table)).id;
      const plannedItem = (await givenAgendaItem(t.dataSource, planned, { caseId: c.id })).id;
      const actionsBefore = await count(`FROM action WHERE case_id = $1`, [c.id]);
      for (const [id, meeting] of [[itemId, meetingId], [plannedItem, planned]]) {
        const decision = await call('put', `/agenda-items/${id}/decision`, token.chair, { decisionText: 'Besproken', outcome: 'discussed' }).expect(409);
        expect(decision.body).toMatchObject({ code: 'illegal_meeting_status', status: 409, allowed: ['in_session'] });
        await call('post', `/agenda-items/${id}/actions`, token.chair, { ownerOrganisationId: table.organisations.POLICE, description: 'Gesprek', dueDate: dateIn(7) }).expect(409);
        await call('post', `/agenda-items/${id}/escalations`, token.chair, { track: 'ind_priority', reason: 'Overlast' }).expect(409);
        await call('put', `/meetings/${meeting}/attendance`, token.chair, { organisations: [{ organisationId: table.organisations.COA, present: true }] }).expect(409);
      }
      const [row] = await q(`SELECT decision_text, outcome FROM agenda_item WHERE id = $1`, [itemId]);
      expect(row).toEqual({ decision_text: null, outcome: null });
      expect(await count(`FROM action WHERE case_id = $1`, [c.id])).toBe(actionsBefore);
      expect(await count(`FROM attendance WHERE meeting_id = ANY($1::uuid[])`, [[meetingId, planned]])).toBe(0);
      expect(await count(`FROM escalation WHERE case_id = $1`, [c.id])).toBe(0);
      const open = await call('post', `/meetings/${planned}/_open`, token.chair).expect(409);
      expect(open.body).toMatchObject({ code: 'illegal_transition', fromStatus: 'planned', toStatus: 'in_session' });
      expect(await status(planned)).toBe('planned');
    });

    it('lets only the chair open it: a member gets 403, the chair of another table 404', async () => {
      expect((await call('post', `/meetings/${meetingId}/_open`, token.police).expect(403)).body.code).toBe('chair_only');
      await call('post', `/meetings/${meetingId}/_open`, token.otherChair).expect(404);
      expect(await status(meetingId)).toBe('agenda_published');
      expect(await count(`FROM domain_event WHERE type = 'meeting.opened' AND aggregate_id = $1`, [meetingId])).toBe(0);
    });

    it('opens the meeting and raises meeting.opened; opening twice is a 409', async () => {
      const res = await call('post', `/meetings/${meetingId}/_open`, token.chair).expect(200);
      expect(res.body).toMatchObject({ id: meetingId, tableId: table.id, status: 'in_session' });
      expect(Date.parse(res.body.openedAt)).toBeGreaterThan(Date.now() - 60_000);
      expect((await events('meeting.opened')).filter((e) => e.aggregate_id === meetingId)).toEqual([
        { aggregate_id: meetingId, table_id: table.id, payload: { meetingId } },
      ]);
      await call('post', `/meetings/${meetingId}/_open`, token.chair).expect(409);
    });
  });

  describe('in session', () => {
    it('replaces the attendance; only active member organisations, each once (400 naming the entry)', async () => {
      const { COA, POLICE, OM } = table.organisations;
      const bad = await call('put', `/meetings/${meetingId}/attendance`, token.chair, {
        organisations: [
          { organisationId: COA, present: true },
          { organisationId: other.organisations.POLICE, present: true },
          { organisationId: COA, present: false },
        ],
      }).expect(400);
      expect(bad.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['organisations.1.organisationId', 'organisations.2.organisationId']);
      expect(await count(`FROM attendance WHERE meeting_id = $1`, [meetingId])).toBe(0);

      await call('put', `/meetings/${meetingId}/attendance`, token.chair, { organisations: [{ organisationId: OM, present: true }] }).expect(200);
      const res = await call('put', `/meetings/${meetingId}/attendance`, token.chair, {
        organisations: [
          { organisationId: COA, present: true },
          { organisationId: POLICE, present: false, note: 'Afgemeld' },
        ],
      }).expect(200);
      expect(res.body).toHaveLength(2);
      const read = await call('get', `/meetings/${meetingId}/attendance`, token.police).expect(200);
      expect(read.body.items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ organisationId: COA, organisationType: 'COA', present: true, note: null }),
          expect.objectContaining({ organisationId: POLICE, present: false, note: 'Afgemeld' }),
        ]),
      );
      expect(read.body.items).toHaveLength(2);
      await call('get', `/meetings/${meetingId}/attendance`, token.otherChair).expect(404);
      expect((await call('put', `/meetings/${meetingId}/attendance`, token.police, { organisations: [] }).expect(403)).body.code).toBe('chair_only');
    });

    it('records the decision with a new strategy revision linked to the item, and logs it', async () => {
      const before = await logged('agenda_item.decide');
      const res = await call('put', `/agenda-items/${itemId}/decision`, token.chair, {
        decisionText: 'Inzet op vertrek; politie voert gesprek.',
        outcome: 'discussed',
        strategy: { kind: 'nuisance', text: 'Gedragsaanwijzing en intensieve begeleiding' },
      }).expect(200);
      expect(res.body).toMatchObject({ agendaItemId: itemId, decisionText: 'Inzet op vertrek; politie voert gesprek.', outcome: 'discussed', strategy: { revision: 1, kind: 'nuisance' } });
      const [item] = await q(`SELECT strategy_id, decision_text FROM agenda_item WHERE id = $1`, [itemId]);
      const [strategy] = await q(`SELECT id, revision, text FROM case_strategy WHERE case_id = $1`, [c.id]);
      expect(item.strategy_id).toBe(strategy.id);
      expect(strategy).toMatchObject({ revision: 1, text: 'Gedragsaanwijzing en intensieve begeleiding' });
      expect(await logged('agenda_item.decide')).toBe(before + 1);

      const again = await call('put', `/agenda-items/${itemId}/decision`, token.chair, { outcome: 'discussed', strategy: { kind: 'departure', text: 'Vertrektraject DT&V' } }).expect(200);
      expect(again.body).toMatchObject({ decisionText: null, strategy: { revision: 2, kind: 'departure' } });
      expect(await count(`FROM case_strategy WHERE case_id = $1`, [c.id])).toBe(2);
    });

    it('refuses an invalid decision with 400 naming the field, and the chair only', async () => {
      const bad = await call('put', `/agenda-items/${itemId}/decision`, token.chair, { outcome: 'maybe', decisionText: 'x'.repeat(5001), strategy: { kind: 'nuisance' } }).expect(400);
      expect(bad.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['decisionText', 'outcome', 'strategy.text']);
      const topic = await call('put', `/agenda-items/${topicId}/decision`, token.chair, { strategy: { kind: 'other', text: 'Beleid' } }).expect(400);
      expect(topic.body.invalidParams).toEqual([{ name: 'strategy', reason: expect.any(String) }]);
      await call('put', `/agenda-items/${topicId}/decision`, token.chair, { decisionText: 'Afspraken met vervoerder gemaakt', outcome: 'discussed' }).expect(200);
      expect((await call('put', `/agenda-items/${itemId}/decision`, token.police, { outcome: 'postponed' }).expect(403)).body.code).toBe('chair_only');
      await call('put', `/agenda-items/${itemId}/decision`, token.otherChair, { outcome: 'postponed' }).expect(404);
      expect((await q(`SELECT outcome FROM agenda_item WHERE id = $1`, [itemId]))[0].outcome).toBe('discussed');
    });

    it('agrees an action and raises action.assigned in the same transaction; a refused one raises nothing', async () => {
      const dueDate = dateIn(14);
      const before = await logged('action.create');
      const res = await call('post', `/agenda-items/${itemId}/actions`, token.chair, {
        ownerOrganisationId: table.organisations.POLICE,
        ownerUserId: policeUserId,
        description: 'Stopgesprek voeren',
        dueDate,
      }).expect(201);
      expect(res.body).toMatchObject({ caseId: c.id, caseReference: c.reference, meetingId, ownerOrganisationId: table.organisations.POLICE, status: 'open', overdue: false });
      const [row] = await q(`SELECT meeting_id, agenda_item_id, owner_user_id FROM action WHERE id = $1`, [res.body.id]);
      expect(row).toEqual({ meeting_id: meetingId, agenda_item_id: itemId, owner_user_id: policeUserId });
      expect((await events('action.assigned')).filter((e) => e.aggregate_id === res.body.id)).toEqual([
        {
          aggregate_id: res.body.id,
          table_id: table.id,
          payload: { actionId: res.body.id, caseReference: c.reference, ownerOrganisationId: table.organisations.POLICE, dueDate },
        },
      ]);
      expect(await logged('action.create')).toBe(before + 1);

      const eventsBefore = (await events('action.assigned')).length;
      const bad = await call('post', `/agenda-items/${itemId}/actions`, token.chair, { ownerOrganisationId: other.organisations.COA, description: 'x', dueDate }).expect(400);
      expect(bad.body.invalidParams).toEqual([{ name: 'ownerOrganisationId', reason: expect.any(String) }]);
      const wrongUser = await call('post', `/agenda-items/${itemId}/actions`, token.chair, { ownerOrganisationId: table.organisations.COA, ownerUserId: policeUserId, description: 'x', dueDate }).expect(400);
      expect(wrongUser.body.invalidParams).toEqual([{ name: 'ownerUserId', reason: expect.any(String) }]);
      const past = await call('post', `/agenda-items/${itemId}/actions`, token.chair, { ownerOrganisationId: table.organisations.COA, description: '', dueDate: dateIn(-1) }).expect(400);
      expect(past.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['description', 'dueDate']);
      await call('post', `/agenda-items/${topicId}/actions`, token.chair, { ownerOrganisationId: table.organisations.COA, description: 'x', dueDate }).expect(409);
      expect((await events('action.assigned')).length).toBe(eventsBefore);
    });

    it("records a measure through the item, under MeasureService's rules", async () => {
      const res = await call('post', `/agenda-items/${itemId}/measures`, token.chair, { type: 'intensive_guidance', startsAt: new Date().toISOString() }).expect(201);
      expect(res.body).toMatchObject({ caseId: c.id, type: 'intensive_guidance', imposingOrganisationId: table.organisations.COA });
      const wrongImposer = await call('post', `/agenda-items/${itemId}/measures`, token.chair, { type: 'area_ban', startsAt: new Date().toISOString() }).expect(400);
      expect(wrongImposer.body.invalidParams[0].name).toBe('imposingOrganisationId');
      await call('post', `/agenda-items/${topicId}/measures`, token.chair, { type: 'intensive_guidance', startsAt: new Date().toISOString() }).expect(409);
      expect(await count(`FROM measure WHERE case_id = $1`, [c.id])).toBe(1);
    });

    it("proposes an escalation to the track's target, asked by the chair's organisation", async () => {
      const bad = await call('post', `/agenda-items/${itemId}/escalations`, token.chair, { track: 'mayor', reason: '' }).expect(400);
      expect(bad.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['reason', 'track']);
      const res = await call('post', `/agenda-items/${itemId}/escalations`, token.chair, { track: 'ttov_referral', reason: 'Vertrekplicht, aanhoudende overlast' }).expect(201);
      expect(res.body).toMatchObject({ caseId: c.id, track: 'ttov_referral', targetOrganisationType: 'DTV', status: 'proposed', requestedByOrganisationId: table.organisations.COA, meetingId, agendaItemId: itemId });
      expect((await events('escalation.proposed')).filter((e) => e.aggregate_id === res.body.id)).toHaveLength(1);
      const list = await call('get', `/cases/${c.id}/escalations`, token.police).expect(200);
      expect(list.body).toEqual([expect.objectContaining({ id: res.body.id, reason: 'Vertrekplicht, aanhoudende overlast' })]);
      expect((await call('get', `/cases/${c.id}/escalations`, token.municipality).expect(200)).body).toEqual([]);
    });

    it('reviews earlier open actions with each outcome', async () => {
      const review = (body: object) => call('post', `/agenda-items/${itemId}/action-reviews`, token.chair, body);
      const newDueDate = dateIn(21);
      expect((await review({ actionId: earlier.done, outcome: 'done' }).expect(201)).body).toMatchObject({ outcome: 'done', action: { status: 'done' } });
      await review({ actionId: earlier.replanned, outcome: 'replanned', reason: 'Persoon verhuisd', newDueDate }).expect(201);
      await review({ actionId: earlier.cancelled, outcome: 'cancelled_circumstances', reason: 'Zaak elders belegd' }).expect(201);
      const notActed = await review({ actionId: earlier.notActedOn, outcome: 'not_acted_on', reason: 'Geen capaciteit' }).expect(201);
      expect(notActed.body.action).toMatchObject({ status: 'open', overdue: true, notActedOnCount: 1 });

      const rows = await q(`SELECT id, status, due_date::text AS due, completed_at IS NOT NULL AS completed, not_acted_on_count AS n FROM action WHERE id = ANY($1::uuid[])`, [Object.values(earlier)]);
      const byId = Object.fromEntries(rows.map((r: { id: string }) => [r.id, r]));
      expect(byId[earlier.done]).toMatchObject({ status: 'done', completed: true });
      expect(byId[earlier.replanned]).toMatchObject({ status: 'open', due: newDueDate, n: 0 });
      expect(byId[earlier.cancelled]).toMatchObject({ status: 'cancelled', completed: false });
      expect(byId[earlier.notActedOn]).toMatchObject({ status: 'open', due: dateIn(-3), n: 1 });
      expect(await count(`FROM action_review WHERE meeting_id = $1`, [meetingId])).toBe(4);
      expect((await events('action.reviewed')).length).toBe(4);

      expect((await review({ actionId: earlier.notActedOn, outcome: 'not_acted_on', reason: 'Nogmaals' }).expect(409)).body.code).toBe('action_already_reviewed');
      expect((await q(`SELECT not_acted_on_count AS n FROM action WHERE id = $1`, [earlier.notActedOn]))[0].n).toBe(1);
    });

    it('lets the table only confirm as done an action its owner reported done after the meeting opened', async () => {
      await call('post', `/actions/${reportedDone}/_complete`, token.police, { resultNote: 'Gesprek gevoerd' }).expect(200);
      const review = (body: object) => call('post', `/agenda-items/${itemId}/action-reviews`, token.chair, { actionId: reportedDone, ...body });
      const refused = await review({ outcome: 'replanned', reason: 'Later', newDueDate: dateIn(7) }).expect(409);
      expect(refused.body).toMatchObject({ code: 'action_not_open', actionStatus: 'done' });
      await review({ outcome: 'done' }).expect(201);
      expect((await q(`SELECT status, result_note FROM action WHERE id = $1`, [reportedDone]))[0]).toEqual({ status: 'done', result_note: 'Gesprek gevoerd' });
      expect(await count(`FROM action_review WHERE action_id = $1`, [reportedDone])).toBe(1);
    });

    it('refuses invalid reviews with 400 naming the field', async () => {
      const review = (body: object) => call('post', `/agenda-items/${itemId}/action-reviews`, token.chair, body);
      const fresh = (await givenAction(t.dataSource, c.id, table.organisations.POLICE!)).id;
      const names = async (body: object) => (await review(body).expect(400)).body.invalidParams.map((p: { name: string }) => p.name);
      expect(await names({ actionId: fresh, outcome: 'not_acted_on' })).toEqual(['reason']);
      expect(await names({ actionId: fresh, outcome: 'replanned', reason: 'Later' })).toEqual(['newDueDate']);
      expect(await names({ actionId: fresh, outcome: 'done', newDueDate: dateIn(3) })).toEqual(['newDueDate']);
      expect(await names({ actionId: fresh, outcome: 'replanned', reason: 'Later', newDueDate: dateIn(-1) })).toEqual(['newDueDate']);
      // Agreed after the meeting opened: not one of the actions this meeting reviews.
      expect(await names({ actionId: fresh, outcome: 'done' })).toEqual(['actionId']);
      const elsewhere = (await givenAction(t.dataSource, (await givenCase(t.dataSource, table)).id, table.organisations.POLICE!)).id;
      expect(await names({ actionId: elsewhere, outcome: 'done' })).toEqual(['actionId']);
      expect(await count(`FROM action_review WHERE action_id = ANY($1::uuid[])`, [[fresh, elsewhere]])).toBe(0);
    });

    it('shows the session to each member under their own disclosure, and logs the read', async () => {
      const before = await logged('session.read');
      const police = (await call('get', `/meetings/${meetingId}/session`, token.police).expect(200)).body;
      expect(police.meeting).toMatchObject({ id: meetingId, status: 'in_session' });
      expect(police.attendance).toHaveLength(2);
      const [item, topic] = police.items;
      expect(item).toMatchObject({ id: itemId, caseId: c.id, outcome: 'discussed', reasons: [{ category: 'deliberation', code: 'overdue_actions' }], strategy: { revision: 2 } });
      expect(item.case).toMatchObject({ id: c.id, reference: c.reference, subject: { familyName: 'Testpersoon' } });
      expect(item.actions).toEqual([expect.objectContaining({ description: 'Stopgesprek voeren' })]);
      expect(item.reviews.map((r: { outcome: string }) => r.outcome).sort()).toEqual(['cancelled_circumstances', 'done', 'done', 'not_acted_on', 'replanned']);
      expect(item.escalations).toEqual([expect.objectContaining({ track: 'ttov_referral' })]);
      expect(topic).toMatchObject({ id: topicId, caseId: null, topic: 'Samenwerking met de vervoerder', decisionText: 'Afspraken met vervoerder gemaakt' });
      expect(await logged('session.read')).toBe(before + 1);

      const municipality = (await call('get', `/meetings/${meetingId}/session`, token.municipality).expect(200)).body;
      const seen = municipality.items[0];
      expect(seen.case).toMatchObject({ reference: c.reference, subject: { familyName: 'Testpersoon' } });
      for (const field of ['decisionText', 'outcome', 'strategy', 'actions', 'reviews', 'escalations']) expect(seen).not.toHaveProperty(field);
      // Reasons are listed one by one under their own category, as on the agenda: none is deliberation-free here.
      expect(seen.reasons).toEqual([]);
      expect(seen.case).not.toHaveProperty('status');
      expect(municipality.attendance.find((a: { note?: string }) => a.note)).toBeUndefined();
      await call('get', `/meetings/${meetingId}/session`, token.otherChair).expect(404);
    });
  });

  describe('after closing', () => {
    it('refuses every session write on a closed meeting (409) and changes nothing', async () => {
      await q(`UPDATE meeting SET status = 'closed', closed_at = now() WHERE id = $1`, [meetingId]);
      const snapshot = async () => q(
        `SELECT (SELECT count(*) FROM action WHERE case_id = $1)::int AS actions, (SELECT count(*) FROM escalation WHERE case_id = $1)::int AS escalations,
                (SELECT count(*) FROM action_review WHERE meeting_id = $2)::int AS reviews, (SELECT decision_text FROM agenda_item WHERE id = $3) AS decision`,
        [c.id, meetingId, itemId],
      );
      const before = await snapshot();
      await call('put', `/agenda-items/${itemId}/decision`, token.chair, { decisionText: 'Later gewijzigd' }).expect(409);
      await call('post', `/agenda-items/${itemId}/actions`, token.chair, { ownerOrganisationId: table.organisations.POLICE, description: 'Te laat', dueDate: dateIn(7) }).expect(409);
      await call('post', `/agenda-items/${itemId}/escalations`, token.chair, { track: 'top_x', reason: 'Te laat' }).expect(409);
      await call('post', `/agenda-items/${itemId}/measures`, token.chair, { type: 'intensive_guidance', startsAt: new Date().toISOString() }).expect(409);
      await call('put', `/meetings/${meetingId}/attendance`, token.chair, { organisations: [] }).expect(409);
      const reopen = await call('post', `/meetings/${meetingId}/_open`, token.chair).expect(409);
      expect(reopen.body.code).toBe('illegal_transition');
      expect(await snapshot()).toEqual(before);
    });
  });
});
