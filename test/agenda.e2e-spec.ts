import type { DataSource } from 'typeorm';
import { amsterdamDate } from '../src/common/working-days';
import { givenAction, givenCase, givenMeeting, givenOrganisation, givenTable, GivenTable, givenTableUser, givenUser } from './support/factories';
import { bearer, login, partnerToken, startTestApp, TestApp } from './support/test-app';

const API = '/api/v1';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR);
const dateIn = (days: number) => amsterdamDate(new Date(Date.now() + days * DAY));
type Json = Record<string, any>;

/** Counts the statements the app sends to PostgreSQL while `fn` runs. */
async function statementsDuring(ds: DataSource, fn: () => Promise<unknown>): Promise<number> {
  const proto = (ds.driver as unknown as { postgres: { Client: { prototype: { query: (...a: unknown[]) => unknown } } } }).postgres.Client.prototype;
  const original = proto.query;
  let n = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return n;
}

describe('the draft agenda, editing, publishing and reading it', () => {
  let t: TestApp;
  let table: GivenTable;
  let other: GivenTable;
  let meetingId: string;
  let closedMeetingId: string;
  const tokens: Record<string, string> = {};
  const cases: Record<string, { id: string; subjectId: string; reference: string }> = {};
  const actions: Record<string, string> = {};
  const as = (who: string) => bearer(tokens[who]);
  const sql = (text: string, params: unknown[] = []) => t.dataSource.query(text, params);
  const count = async (text: string, params: unknown[] = []) => Number((await sql(`SELECT count(*) AS n ${text}`, params))[0].n);
  const agendaOf = async (who: string) => (await t.http().get(`${API}/meetings/${meetingId}/agenda`).set(as(who)).expect(200)).body as Json;
  const refsOf = (agenda: Json) => agenda.items.map((i: Json) => i.case?.reference ?? i.topic);
  const draft = (who: string) => t.http().post(`${API}/meetings/${meetingId}/agenda/_draft`).set(as(who));

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    table = await givenTable(t.dataSource);
    other = await givenTable(t.dataSource);
    for (const [name, tbl, type, role] of [
      ['chair', table, 'POLICE', 'chair'],
      ['police', table, 'POLICE', 'member'],
      ['municipality', table, 'MUNICIPALITY', 'member'],
      ['outsider', other, 'POLICE', 'chair'],
    ] as const) {
      tokens[name] = (await login(t, (await givenTableUser(t.dataSource, tbl, type, role)).email)).accessToken;
    }
    const org = (type: 'COA' | 'POLICE' | 'MUNICIPALITY') => table.organisations[type]!;
    // One case per reason, numbered so that the order within a priority group (by reference) is known.
    const names = ['escalation', 'severe', 'overdue', 'twoReasons', 'intake', 'nuisance', 'dueSoon', 'review', 'nominated', 'handAdded', 'closed', 'quiet'];
    for (const [i, name] of names.entries()) {
      const status = name === 'intake' ? 'intake' : name === 'closed' ? 'closed' : 'active';
      cases[name] = await givenCase(t.dataSource, table, { status, procedureStage: 'AA-procedure' });
      cases[name].reference = `${table.prefix}-2026-${String(i + 1).padStart(4, '0')}`;
      await sql(`UPDATE case_file SET reference = $2 WHERE id = $1`, [cases[name].id, cases[name].reference]);
    }
    closedMeetingId = (await sql(`INSERT INTO meeting (table_id, scheduled_at, status, closed_at) VALUES ($1, now() - interval '7 days', 'closed', now() - interval '7 days') RETURNING id`, [table.id]))[0].id;
    meetingId = (await givenMeeting(t.dataSource, table, { scheduledAt: new Date(Date.now() + 7 * DAY) })).id;
    await givenMeeting(t.dataSource, table, { scheduledAt: new Date(Date.now() + 14 * DAY) });

    await sql(`INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, status) VALUES ($1, 'htl_placement', 'COA', $2, 'proposed')`, [cases.escalation.id, org('COA')]);
    // Recorded when they happened; what counts for the draft is when an incident was recorded (see 'since the last meeting').
    const incident = (c: string, kind: string, classification: string, severity: string, daysAgo: number) =>
      sql(`INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, created_at)
           VALUES ($1, $2, $3, $4, $5, now() - $6 * interval '1 day', now() - $6 * interval '1 day')`, [
        cases[c].id, org(classification === 'offence' ? 'POLICE' : 'COA'), kind, classification, severity, daysAgo,
      ]);
    await incident('severe', 'violence', 'offence', 'severe', 1);
    await incident('nuisance', 'house_rule_breach', 'nuisance', 'minor', 2);
    await incident('twoReasons', 'threat', 'offence', 'minor', 3);
    await incident('quiet', 'theft', 'nuisance', 'serious', 10); // recorded before the last meeting closed: not new
    await incident('closed', 'violence', 'offence', 'severe', 1); // a closed case is never on the agenda
    actions.overdue = (await givenAction(t.dataSource, cases.overdue.id, org('COA'), { dueDate: dateIn(-3) })).id;
    actions.twoReasons = (await givenAction(t.dataSource, cases.twoReasons.id, org('MUNICIPALITY'), { dueDate: dateIn(-1) })).id;
    actions.dueSoon = (await givenAction(t.dataSource, cases.dueSoon.id, org('POLICE'), { dueDate: dateIn(3) })).id;
    actions.carried = (await givenAction(t.dataSource, cases.review.id, org('COA'), { dueDate: dateIn(20), meetingId: closedMeetingId })).id;
    await givenAction(t.dataSource, cases.review.id, org('COA'), { dueDate: dateIn(-2), status: 'done' });
    await sql(`UPDATE case_file SET review_date = $2 WHERE id = $1`, [cases.review.id, dateIn(0)]);
  });
  afterAll(() => t.close());

  describe('nominations', () => {
    it('lets a member nominate a case and a topic for the next planned meeting, and logs the case nomination', async () => {
      const before = await count(`FROM processing_log WHERE operation_name = 'nomination.create' AND table_id = $1`, [table.id]);
      const res = await t.http().post(`${API}/tables/${table.id}/nominations`).set(as('municipality'))
        .send({ caseId: cases.nominated.id, reasonCode: 'nuisance_during_procedure', reasonText: 'Overlast in de supermarkt' }).expect(201);
      expect(res.body).toMatchObject({ meetingId, caseId: cases.nominated.id, caseReference: cases.nominated.reference, source: 'member', reasonCode: 'nuisance_during_procedure' });
      await t.http().post(`${API}/tables/${table.id}/nominations`).set(as('police')).send({ topic: 'Samenwerking met de vervoerder', reasonCode: 'cooperation' }).expect(201);
      expect(await count(`FROM processing_log WHERE operation_name = 'nomination.create' AND table_id = $1`, [table.id])).toBe(before + 1);
      expect(await count(`FROM domain_event WHERE type = 'nomination.created' AND table_id = $1`, [table.id])).toBe(2);
      const list = await t.http().get(`${API}/meetings/${meetingId}/nominations`).set(as('police')).expect(200);
      expect(list.body.items.map((n: Json) => n.reasonCode)).toEqual(['nuisance_during_procedure', 'cooperation']);
    });

    it('refuses a second member nomination of the case (409), a closed case (409), both or neither of caseId and topic (400), another table (404)', async () => {
      const post = (body: object, who = 'police', tableId = table.id) => t.http().post(`${API}/tables/${tableId}/nominations`).set(as(who)).send(body);
      expect((await post({ caseId: cases.nominated.id, reasonCode: 'other' }).expect(409)).body.code).toBe('already_nominated');
      expect((await post({ caseId: cases.closed.id, reasonCode: 'other' }).expect(409)).body.code).toBe('case_closed');
      const both = await post({ caseId: cases.quiet.id, topic: 'x', reasonCode: 'other' }).expect(400);
      expect(both.body.invalidParams.map((p: Json) => p.name)).toEqual(['caseId']);
      await post({ reasonCode: 'other' }).expect(400);
      await post({ caseId: cases.quiet.id, reasonCode: 'other' }, 'outsider').expect(404);
      await post({ caseId: cases.quiet.id, reasonCode: 'other' }, 'outsider', other.id).expect(404);
      expect((await post({ topic: 'Beleid', reasonCode: 'policy_change' }, 'outsider', other.id).expect(409)).body.code).toBe('no_planned_meeting');
      expect(await count(`FROM nomination WHERE table_id = $1`, [table.id])).toBe(2);
    });
  });

  describe('drafting', () => {
    const reason = (code: string, category: string, extra: Json = {}) => ({ code, category, origin: 'draft', ...extra });

    it('keeps the draft to the chair: a member gets 403, another table 404, and a member may not read it yet (409)', async () => {
      expect((await draft('police').expect(403)).body.code).toBe('chair_only');
      await draft('outsider').expect(404);
      await t.http().get(`${API}/meetings/${meetingId}/agenda`).set(as('outsider')).expect(404);
      expect((await t.http().get(`${API}/meetings/${meetingId}/agenda`).set(as('police')).expect(409)).body.code).toBe('agenda_not_published');
    });

    it('lists every open case once, by its best reason, with all its reasons, in a constant number of statements', async () => {
      let res: Json = {};
      const statements = await statementsDuring(t.dataSource, async () => (res = await draft('chair').expect(200)));
      expect(res.body).toMatchObject({ meetingId, status: 'planned', itemCount: 10 });
      expect(statements).toBeLessThan(30);

      const agenda = await agendaOf('chair');
      const c = cases;
      expect(refsOf(agenda)).toEqual([
        c.escalation.reference, c.severe.reference, c.overdue.reference, c.twoReasons.reference, c.intake.reference,
        c.nuisance.reference, c.dueSoon.reference, c.review.reference, c.nominated.reference, 'Samenwerking met de vervoerder',
      ]);
      expect(agenda.items.map((i: Json) => i.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(agenda.items.map((i: Json) => i.reasons)).toEqual([
        [reason('escalation_proposed', 'deliberation', { detail: 'htl_placement' })],
        [reason('severe_incident', 'criminal', { detail: 'violence' })],
        [reason('overdue_actions', 'deliberation', { detail: '1' })],
        [reason('overdue_actions', 'deliberation', { detail: '1' }), reason('new_incidents', 'criminal', { detail: 'threat' })],
        [reason('new_case', 'deliberation')],
        [reason('new_incidents', 'incidents', { detail: 'house_rule_breach' })],
        [reason('actions_due', 'deliberation', { detail: '1' })],
        [reason('review_due', 'deliberation', { detail: dateIn(0) })],
        [reason('nominated', 'deliberation', { detail: 'nuisance_during_procedure: Overlast in de supermarkt', via: 'member' })],
        [reason('nominated', 'deliberation', { detail: 'cooperation', via: 'member' })],
      ]);
      const [row] = await sql(`SELECT agenda_drafted_at FROM meeting WHERE id = $1`, [meetingId]);
      expect(row.agenda_drafted_at).not.toBeNull();
      expect(await count(`FROM domain_event WHERE type = 'agenda.drafted' AND aggregate_id = $1`, [meetingId])).toBe(1);
    });

    it('carries open actions agreed before the meeting over to their case, with overdue derived', async () => {
      const items = (await agendaOf('chair')).items as Json[];
      const carried = (ref: string) => items.find((i) => i.case?.reference === ref)!.carriedActions.map((a: Json) => [a.id, a.overdue]);
      expect(carried(cases.overdue.reference)).toEqual([[actions.overdue, true]]);
      expect(carried(cases.dueSoon.reference)).toEqual([[actions.dueSoon, false]]);
      expect(carried(cases.review.reference)).toEqual([[actions.carried, false]]);
      const review = items.find((i) => i.case?.reference === cases.review.reference)!;
      expect(review.carriedActions[0]).toMatchObject({ meetingId: closedMeetingId, ownerOrganisationId: table.organisations.COA, dueDate: dateIn(20), description: 'Test action' });
      expect(items.find((i) => i.topic)!.carriedActions).toBeUndefined();
    });

    it('re-drafting keeps hand-added items, drops cases that no longer qualify, and adds no duplicates', async () => {
      const before = new Map(((await agendaOf('chair')).items as Json[]).map((i) => [i.case?.reference ?? i.topic, i.id]));
      const hand = await t.http().post(`${API}/meetings/${meetingId}/agenda-items`).set(as('chair'))
        .send({ caseId: cases.handAdded.id, reasons: [{ code: 'new_information', detail: 'Signaal wijkagent' }] }).expect(201);
      expect(hand.body).toMatchObject({ position: 11, case: { reference: cases.handAdded.reference } });
      await t.http().post(`${API}/meetings/${meetingId}/agenda-items`).set(as('chair')).send({ topic: 'Beleid gebiedsverboden' }).expect(201);
      expect((await t.http().post(`${API}/meetings/${meetingId}/agenda-items`).set(as('chair')).send({ caseId: cases.overdue.id }).expect(409)).body.code).toBe('already_on_agenda');
      await sql(`UPDATE case_file SET status = 'closed', closed_at = now() WHERE id = $1`, [cases.nuisance.id]);

      await draft('chair').expect(200);
      await draft('chair').expect(200);
      const agenda = await agendaOf('chair');
      const c = cases;
      expect(refsOf(agenda)).toEqual([
        c.escalation.reference, c.severe.reference, c.overdue.reference, c.twoReasons.reference, c.intake.reference,
        c.dueSoon.reference, c.review.reference, c.nominated.reference, c.handAdded.reference, 'Samenwerking met de vervoerder', 'Beleid gebiedsverboden',
      ]);
      expect(agenda.items[8].reasons).toEqual([
        { code: 'added_by_chair', category: 'deliberation', origin: 'chair' },
        { code: 'new_information', detail: 'Signaal wijkagent', category: 'deliberation', origin: 'chair' },
      ]);
      for (const item of agenda.items as Json[]) {
        const key = item.case?.reference ?? item.topic;
        if (before.has(key)) expect(item.id).toBe(before.get(key));
      }
      expect(await count(`FROM agenda_item WHERE meeting_id = $1`, [meetingId])).toBe(11);
    });
  });

  describe('editing and publishing', () => {
    it('reorders exactly the meeting\'s items, edits reasons and removes items; refuses wrong sets and invalid input', async () => {
      const items = (await agendaOf('chair')).items as Json[];
      const ids = items.map((i) => i.id);
      const reversed = [...ids].reverse();
      await t.http().put(`${API}/meetings/${meetingId}/agenda-items/order`).set(as('chair')).send({ itemIds: reversed }).expect(204);
      expect(((await agendaOf('chair')).items as Json[]).map((i) => i.id)).toEqual(reversed);
      const wrong = await t.http().put(`${API}/meetings/${meetingId}/agenda-items/order`).set(as('chair')).send({ itemIds: reversed.slice(1) }).expect(409);
      expect(wrong.body.code).toBe('agenda_items_mismatch');
      await t.http().put(`${API}/meetings/${meetingId}/agenda-items/order`).set(as('chair')).send({ itemIds: ids }).expect(204);
      await t.http().put(`${API}/meetings/${meetingId}/agenda-items/order`).set(as('police')).send({ itemIds: ids }).expect(403);

      const overdue = items.find((i) => i.case?.reference === cases.overdue.reference)!;
      const patched = await t.http().patch(`${API}/agenda-items/${overdue.id}`).set(as('chair')).send({ reasons: [{ code: 'progress_stalled' }] }).expect(200);
      expect(patched.body.reasons.map((r: Json) => `${r.origin}:${r.code}`)).toEqual(['draft:overdue_actions', 'chair:progress_stalled']);
      const bad = await t.http().patch(`${API}/agenda-items/${overdue.id}`).set(as('chair')).send({ topic: 'x', reasons: [{ code: 'nope' }], extra: 1 }).expect(400);
      expect(bad.body.invalidParams.map((p: Json) => p.name).sort()).toEqual(['extra', 'reasons.0.code']);
      expect((await t.http().patch(`${API}/agenda-items/${overdue.id}`).set(as('chair')).send({ topic: 'x' }).expect(400)).body.invalidParams[0].name).toBe('topic');
      await t.http().patch(`${API}/agenda-items/${overdue.id}`).set(as('outsider')).send({ reasons: [] }).expect(404);

      const topic = items.find((i) => i.topic === 'Beleid gebiedsverboden')!;
      await t.http().delete(`${API}/agenda-items/${topic.id}`).set(as('police')).expect(403);
      await t.http().delete(`${API}/agenda-items/${topic.id}`).set(as('chair')).expect(204);
      const after = (await agendaOf('chair')).items as Json[];
      expect(after.map((i) => i.position)).toEqual(after.map((_, n) => n + 1));
      expect(after).toHaveLength(10);
    });

    it('publishes by the chair only (403 member, 404 other table), may publish again, and then refuses a draft (409)', async () => {
      expect((await t.http().post(`${API}/meetings/${meetingId}/agenda/_publish`).set(as('municipality')).expect(403)).body.code).toBe('chair_only');
      await t.http().post(`${API}/meetings/${meetingId}/agenda/_publish`).set(as('outsider')).expect(404);
      const res = await t.http().post(`${API}/meetings/${meetingId}/agenda/_publish`).set(as('chair')).expect(200);
      expect(res.body).toMatchObject({ meetingId, status: 'agenda_published', itemCount: 10 });
      expect(res.body.agendaPublishedAt).toBeTruthy();
      await t.http().post(`${API}/meetings/${meetingId}/agenda/_publish`).set(as('chair')).expect(200);
      const events = await sql(`SELECT payload FROM domain_event WHERE type = 'agenda.published' AND aggregate_id = $1`, [meetingId]);
      expect(events.map((e: Json) => e.payload)).toEqual([{ meetingId, itemCount: 10 }, { meetingId, itemCount: 10 }]);
      expect((await draft('chair').expect(409)).body.code).toBe('illegal_meeting_status');
    });
  });

  describe('reading under each viewer\'s covenant', () => {
    it('shows a municipality member exactly the police view minus the criminal reasons and the procedure stage', async () => {
      const police = await agendaOf('police');
      const municipality = await agendaOf('municipality');
      const twoReasons = (a: Json) => a.items.find((i: Json) => i.case?.reference === cases.twoReasons.reference);
      expect(twoReasons(police).reasons.map((r: Json) => r.code)).toEqual(['overdue_actions', 'new_incidents']);
      expect(twoReasons(police).procedureStage).toBe('AA-procedure');
      expect(twoReasons(municipality).reasons.map((r: Json) => r.code)).toEqual(['overdue_actions']);
      expect(twoReasons(municipality)).not.toHaveProperty('procedureStage');
      for (const view of [police, municipality]) {
        expect(twoReasons(view).case.subject).toMatchObject({ vNumber: expect.stringMatching(/^\d{10}$/), familyName: 'Testpersoon' });
        expect(twoReasons(view).carriedActions).toHaveLength(1);
      }
      const strip = ({ procedureStage: _p, ...item }: Json) => ({ ...item, reasons: item.reasons.filter((r: Json) => r.category !== 'criminal') });
      expect(municipality.items).toEqual(police.items.map(strip));
      expect(JSON.stringify(municipality)).not.toContain('violence');
    });

    it('logs one read with one processing entry per case on the agenda', async () => {
      const before = await count(`FROM audit_log WHERE action = 'agenda.read' AND table_id = $1`, [table.id]);
      const agenda = await agendaOf('municipality');
      const [op] = await sql(`SELECT operation_id, subject_count FROM audit_log WHERE action = 'agenda.read' AND table_id = $1 ORDER BY id DESC LIMIT 1`, [table.id]);
      expect(await count(`FROM audit_log WHERE action = 'agenda.read' AND table_id = $1`, [table.id])).toBe(before + 1);
      const caseItems = agenda.items.filter((i: Json) => i.case).length;
      expect(op.subject_count).toBe(caseItems);
      expect(await count(`FROM processing_log WHERE operation_id = $1`, [op.operation_id])).toBe(caseItems);
    });
  });

  /**
   * DOMAIN.md section 4.3: new is what the table has not seen, i.e. what was recorded (or pushed) after the
   * previous meeting of the table was closed, whenever it happened. Each table here has its own history.
   */
  describe('since the last meeting', () => {
    let admin: string;
    const chairs: Record<string, string> = {};

    /** A table with a POLICE chair and a meeting closed at `closedHoursAgo`, scheduled at `scheduledHoursAgo`. */
    async function tableWithClosedMeeting(name: string, scheduledHoursAgo: number, closedHoursAgo: number) {
      const tbl = await givenTable(t.dataSource);
      chairs[name] = (await login(t, (await givenTableUser(t.dataSource, tbl, 'POLICE', 'chair')).email)).accessToken;
      await sql(`INSERT INTO meeting (table_id, scheduled_at, status, opened_at, closed_at) VALUES ($1, $2, 'closed', $2, $3)`, [
        tbl.id, hoursAgo(scheduledHoursAgo), hoursAgo(closedHoursAgo),
      ]);
      return tbl;
    }
    const incidentAt = (tbl: GivenTable, caseId: string, kind: string, occurredHoursAgo: number, recordedHoursAgo: number) =>
      sql(`INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, created_at) VALUES ($1, $2, $3, 'nuisance', 'minor', $4, $5)`, [
        caseId, tbl.organisations.COA, kind, hoursAgo(occurredHoursAgo), hoursAgo(recordedHoursAgo),
      ]);
    const draftOf = async (who: string, id: string) => {
      await t.http().post(`${API}/meetings/${id}/agenda/_draft`).set(bearer(chairs[who])).expect(200);
      const agenda = (await t.http().get(`${API}/meetings/${id}/agenda`).set(bearer(chairs[who])).expect(200)).body as Json;
      return new Map<string, Json[]>(agenda.items.filter((i: Json) => i.case).map((i: Json) => [i.case.id, i.reasons]));
    };

    beforeAll(async () => {
      const adminOrg = await givenOrganisation(t.dataSource, 'ADMINISTRATION');
      admin = (await login(t, (await givenUser(t.dataSource, adminOrg, ['admin'])).email)).accessToken;
    });

    it("puts a police push of today about yesterday's incident, from before the last meeting closed, on the next draft as severe", async () => {
      // Last meeting: scheduled 25 hours ago, closed 23 hours ago; the violence happened 26 hours ago, before both.
      const tbl = await tableWithClosedMeeting('push', 25, 23);
      const c = await givenCase(t.dataSource, tbl);
      const next = await givenMeeting(t.dataSource, tbl);
      const police = await partnerToken(t, admin, tbl.organisations.POLICE!, ['incidents:write']);
      await t.http().post(`${API}/incidents`).set(bearer(police))
        .send({ caseReference: c.reference, kind: 'violence', severity: 'severe', occurredAt: hoursAgo(26).toISOString(), externalReference: `BVH-${tbl.prefix}` })
        .expect(201);

      const reasons = await draftOf('push', next.id);
      expect(reasons.get(c.id)).toEqual([{ code: 'severe_incident', detail: 'violence', category: 'criminal', origin: 'draft' }]);
    });

    it('counts a meeting closed late from its close: recorded before the close is not new, recorded after it is, whenever it happened', async () => {
      // Scheduled 10 hours ago, closed 2 hours ago.
      const tbl = await tableWithClosedMeeting('late', 10, 2);
      const during = await givenCase(t.dataSource, tbl);
      const pushedLate = await givenCase(t.dataSource, tbl);
      const afterwards = await givenCase(t.dataSource, tbl);
      await incidentAt(tbl, during.id, 'house_rule_breach', 6, 6); // happened and recorded while the meeting ran over
      await incidentAt(tbl, pushedLate.id, 'theft', 12, 1); // before the meeting, recorded after its close
      await incidentAt(tbl, afterwards.id, 'vandalism', 1, 1);
      const next = await givenMeeting(t.dataSource, tbl);

      const reasons = await draftOf('late', next.id);
      expect(reasons.has(during.id)).toBe(false);
      expect(reasons.get(pushedLate.id)).toEqual([{ code: 'new_incidents', detail: 'theft', category: 'incidents', origin: 'draft' }]);
      expect(reasons.get(afterwards.id)).toEqual([{ code: 'new_incidents', detail: 'vandalism', category: 'incidents', origin: 'draft' }]);
    });

    it('shows an incident as new on exactly one draft: drafted, the meeting closed, the next draft no longer has it', async () => {
      // The meeting started an hour ago and is drafted late; the incident came in half an hour ago.
      const tbl = await tableWithClosedMeeting('once', 7 * 24 + 1, 7 * 24);
      const seen = await givenCase(t.dataSource, tbl);
      const later = await givenCase(t.dataSource, tbl);
      const meeting = await givenMeeting(t.dataSource, tbl, { scheduledAt: hoursAgo(1) });
      await incidentAt(tbl, seen.id, 'threat', 0.5, 0.5);
      const chair = bearer(chairs.once);

      expect((await draftOf('once', meeting.id)).get(seen.id)).toEqual([{ code: 'new_incidents', detail: 'threat', category: 'incidents', origin: 'draft' }]);
      await t.http().post(`${API}/meetings/${meeting.id}/agenda/_publish`).set(chair).expect(200);
      await t.http().post(`${API}/meetings/${meeting.id}/_open`).set(chair).expect(200);
      await t.http().post(`${API}/meetings/${meeting.id}/_close`).set(chair).expect(200);
      await incidentAt(tbl, later.id, 'vandalism', 0.1, 0);

      const next = await givenMeeting(t.dataSource, tbl);
      const reasons = await draftOf('once', next.id);
      expect(reasons.has(seen.id)).toBe(false);
      expect(reasons.get(later.id)).toEqual([{ code: 'new_incidents', detail: 'vandalism', category: 'incidents', origin: 'draft' }]);
    });
  });
});
