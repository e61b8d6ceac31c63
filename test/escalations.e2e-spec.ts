import { randomBytes } from 'node:crypto';
import { amsterdamDate } from '../src/common/working-days';
import { ESCALATION_STATUSES, ESCALATION_TRACKS, type EscalationStatus, type EscalationTrack } from '../src/escalations/escalation.entity';
import { installDefaultEscalationRules } from '../src/escalations/escalation-settings.service';
import { ESCALATION_ACTIONS, type EscalationAction } from '../src/escalations/escalation-status';
import { setClock } from './support/clock';
import { givenAgendaItem, givenCase, givenMeeting, givenTable, GivenTable, givenTableUser } from './support/factories';
import { bearer, login, partnerToken, startTestApp, TestApp } from './support/test-app';

const ACTIONS = Object.keys(ESCALATION_ACTIONS) as EscalationAction[];
const ROUTE: Record<EscalationAction, string> = { request: '_request', withdraw: '_withdraw', accept: '_accept', reject: '_reject', complete: '_complete' };

describe('escalations between meetings', () => {
  let t: TestApp;
  let table: GivenTable;
  let other: GivenTable;
  const token = { chair: '', coa: '', ind: '', municipality: '', police: '', dtv: '', outsider: '', admin: '' };

  const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);
  const count = async (sql: string, params: unknown[] = []) => (await q(`SELECT count(*)::int AS n ${sql}`, params))[0].n as number;
  const get = (path: string, who: string) => t.http().get(`/api/v1${path}`).set(bearer(who));
  const post = (path: string, who: string, body: object = {}) => t.http().post(`/api/v1${path}`).set(bearer(who)).send(body);
  const put = (path: string, who: string, body: object) => t.http().put(`/api/v1${path}`).set(bearer(who)).send(body);
  const act = (id: string, action: EscalationAction, who: string, reason = `Reden ${action}`) => post(`/escalations/${id}/${ROUTE[action]}`, who, { reason });
  /** Who may take each action on an htl_placement escalation (target COA): the chair (police) or a COA member. */
  const actor = (action: EscalationAction) => (ESCALATION_ACTIONS[action].by === 'table' ? token.chair : token.coa);

  const freshCase = () => givenCase(t.dataSource, table);

  /** An escalation of `track` in `status` (as if it got there through the API), with its proposal in the history. */
  async function givenEscalation(status: EscalationStatus, track: EscalationTrack = 'htl_placement', caseId?: string): Promise<string> {
    const answered = !['proposed', 'withdrawn'].includes(status);
    const [row] = await q(
      `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, status, reason, response_due_date, requested_at)
       VALUES ($1, $2, $3, $4, $5, 'Aanhoudende overlast', $6, $7) RETURNING id`,
      [caseId ?? (await freshCase()).id, track, ESCALATION_TRACKS[track], table.organisations.POLICE, status, answered ? '2026-12-31' : null, answered ? new Date() : null],
    );
    await q(`INSERT INTO escalation_event (escalation_id, to_status, reason, actor_kind, actor_organisation_id) VALUES ($1, 'proposed', 'Voorstel', 'user', $2)`, [
      row.id,
      table.organisations.POLICE,
    ]);
    return row.id;
  }

  const snapshot = async (id: string) => ({
    row: (await q(`SELECT * FROM escalation WHERE id = $1`, [id]))[0],
    history: await q(`SELECT * FROM escalation_event WHERE escalation_id = $1 ORDER BY id`, [id]),
    events: await count(`FROM domain_event WHERE aggregate_id = $1`, [id]),
  });
  const proposals = (caseId: string, track?: EscalationTrack) =>
    q(`SELECT id, track, rule_id, trigger_category, requested_by_organisation_id FROM escalation WHERE case_id = $1 AND status = 'proposed' AND ($2::text IS NULL OR track = $2)`, [
      caseId,
      track ?? null,
    ]);
  const incident = (overrides: object = {}) => ({ kind: 'violence', classification: 'offence', severity: 'minor', occurredAt: new Date().toISOString(), ...overrides });

  beforeAll(async () => {
    t = await startTestApp();
    table = await givenTable(t.dataSource);
    other = await givenTable(t.dataSource);
    await t.dataSource.transaction((m) => installDefaultEscalationRules(m, table.id));
    const user = async (type: Parameters<typeof givenTableUser>[2], role: 'chair' | 'member' = 'member', at = table) =>
      (await login(t, (await givenTableUser(t.dataSource, at, type, role)).email)).accessToken;
    token.chair = await user('POLICE', 'chair');
    token.police = await user('POLICE');
    token.coa = await user('COA');
    token.ind = await user('IND');
    token.municipality = await user('MUNICIPALITY');
    token.dtv = await user('DTV');
    token.outsider = await user('COA', 'chair', other);
    token.admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
  });
  afterAll(() => t.close());

  describe('the state machine', () => {
    const legal = ACTIONS.flatMap((action) => ESCALATION_ACTIONS[action].from.map((from) => [action, from] as const));
    const illegal = ACTIONS.flatMap((action) =>
      ESCALATION_STATUSES.filter((s) => !(ESCALATION_ACTIONS[action].from as readonly string[]).includes(s)).map((from) => [action, from] as const),
    );

    it('has every status reachable and the final ones without a way out', () => {
      expect(legal).toHaveLength(7);
      expect(illegal).toHaveLength(ACTIONS.length * ESCALATION_STATUSES.length - 7);
    });

    it.each(legal)('%s from %s: changes the status, keeps the reason in the history, logs and raises an event', async (action, from) => {
      const id = await givenEscalation(from);
      const res = await act(id, action, actor(action), `Omdat ${action} ${from}`).expect(200);
      const to = ESCALATION_ACTIONS[action].to;
      expect(res.body).toMatchObject({ id, status: to, track: 'htl_placement', targetOrganisationType: 'COA', proposedBy: 'table' });
      expect(res.body.history).toHaveLength(2);
      expect(res.body.history[1]).toMatchObject({
        fromStatus: from,
        toStatus: to,
        reason: `Omdat ${action} ${from}`,
        actorKind: 'user',
        actorOrganisationId: ESCALATION_ACTIONS[action].by === 'table' ? table.organisations.POLICE : table.organisations.COA,
      });
      if (ESCALATION_ACTIONS[action].by === 'target') expect(res.body.outcome).toBe(`Omdat ${action} ${from}`);
      const [event] = await q(`SELECT type, payload FROM domain_event WHERE aggregate_id = $1`, [id]);
      expect(event).toMatchObject({ type: `escalation.${to}`, payload: { fromStatus: from, toStatus: to } });
      expect(JSON.stringify(event.payload)).not.toContain('Omdat');
      const [audit] = await q(`SELECT actor_kind, result, table_id, categories FROM audit_log WHERE action = $1 AND trace_id = $2`, [`escalation.${action}`, res.headers['x-request-id']]);
      expect(audit).toEqual({ actor_kind: 'user', result: 'allowed', table_id: table.id, categories: ['deliberation'] });
      expect(await count(`FROM processing_log WHERE operation_name = $1 AND trace_id = $2`, [`escalation.${action}`, res.headers['x-request-id']])).toBe(1);
    });

    it.each(illegal)('%s from %s: 409 illegal_transition, nothing changed, history unchanged', async (action, from) => {
      const id = await givenEscalation(from);
      const before = await snapshot(id);
      const res = await act(id, action, actor(action)).expect(409);
      expect(res.body).toMatchObject({ code: 'illegal_transition', fromStatus: from, toStatus: ESCALATION_ACTIONS[action].to });
      expect(res.body.allowed).toEqual(expect.any(Array));
      expect(await snapshot(id)).toEqual(before);
    });

    it('requires a reason for every change', async () => {
      const id = await givenEscalation('proposed');
      const res = await post(`/escalations/${id}/_request`, token.chair, {}).expect(400);
      expect(res.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['reason']);
      expect((await snapshot(id)).row.status).toBe('proposed');
    });
  });

  describe('who may', () => {
    const denied = (action: string, traceId: string) => q(`SELECT table_id, role FROM audit_log WHERE action = $1 AND result = 'denied' AND trace_id = $2`, [action, traceId]);

    it('lets only the chair request and withdraw: a member 403 chair_only, another table 404, a partner system 403; each audited', async () => {
      const id = await givenEscalation('proposed');
      const before = await snapshot(id);
      for (const action of ['request', 'withdraw'] as const) {
        const member = await act(id, action, token.coa).expect(403);
        expect(member.body.code).toBe('chair_only');
        expect(await denied(`escalation.${action}`, member.headers['x-request-id'])).toEqual([{ table_id: table.id, role: 'member' }]);
        const outsider = await act(id, action, token.outsider).expect(404);
        expect(outsider.body.detail).toBe('Escalation was not found.');
        expect(await denied(`escalation.${action}`, outsider.headers['x-request-id'])).toEqual([{ table_id: table.id, role: null }]);
      }
      const system = await partnerToken(t, token.admin, table.organisations.POLICE!, ['escalations:write']);
      expect((await act(id, 'request', system).expect(403)).body.code).toBe('permission_denied');
      expect(await snapshot(id)).toEqual(before);
    });

    it('lets only the target organisation answer: the chair and other members 403 not_target_organisation (audited), another table 404', async () => {
      const id = await givenEscalation('requested');
      const before = await snapshot(id);
      for (const who of [token.chair, token.ind, token.municipality]) {
        const res = await act(id, 'accept', who).expect(403);
        expect(res.body.code).toBe('not_target_organisation');
        expect(await denied('escalation.accept', res.headers['x-request-id'])).toHaveLength(1);
      }
      await act(id, 'reject', token.outsider).expect(404);
      expect(await snapshot(id)).toEqual(before);
      await act(id, 'accept', token.coa).expect(200);
    });

    it("lets the target's partner system answer with escalations:write, and names the scope otherwise", async () => {
      const reader = await partnerToken(t, token.admin, table.organisations.COA!, ['escalations:read']);
      const writer = await partnerToken(t, token.admin, table.organisations.COA!, ['escalations:write']);
      const policeWriter = await partnerToken(t, token.admin, table.organisations.POLICE!, ['escalations:write']);
      const id = await givenEscalation('requested');
      const refused = await act(id, 'accept', reader).expect(403);
      expect(refused.body).toMatchObject({ code: 'permission_denied', requiredScopes: ['escalations:write'] });
      expect((await act(id, 'accept', policeWriter).expect(403)).body.code).toBe('not_target_organisation');
      const res = await act(id, 'accept', writer, 'Plaatsing in voorbereiding').expect(200);
      expect(res.body.history[1]).toMatchObject({ actorKind: 'client', actorOrganisationId: table.organisations.COA });
      // It reads the escalations addressed to it, and no others.
      await get(`/escalations/${id}`, reader).expect(200);
      await get(`/escalations/${await givenEscalation('requested', 'ind_priority')}`, reader).expect(404);
    });

    it("lists what awaits my organisation: the requested and accepted escalations addressed to its type", async () => {
      const c = await freshCase();
      const requested = await givenEscalation('requested', 'top_x', c.id);
      const accepted = await givenEscalation('accepted', 'top_x', c.id);
      const proposed = await givenEscalation('proposed', 'top_x', c.id);
      const elsewhere = await givenEscalation('requested', 'ttov_referral', c.id);
      const ids = (body: { items: { id: string }[] }) => body.items.map((i) => i.id);
      const mine = await get(`/escalations?tableId=${table.id}&limit=100`, token.municipality).expect(200);
      expect(ids(mine.body)).toEqual(expect.arrayContaining([requested, accepted]));
      expect(ids(mine.body)).not.toContain(proposed);
      expect(ids(mine.body)).not.toContain(elsewhere);
      const onlyRequested = await get(`/escalations?status=requested&limit=100`, token.municipality).expect(200);
      expect(ids(onlyRequested.body)).toContain(requested);
      expect(ids(onlyRequested.body)).not.toContain(accepted);
      expect(onlyRequested.body.items.every((i: { targetOrganisationType: string; status: string }) => i.targetOrganisationType === 'MUNICIPALITY' && i.status === 'requested')).toBe(true);
      expect(ids((await get('/escalations?limit=100', token.dtv).expect(200)).body)).toContain(elsewhere);
      expect(ids((await get('/escalations?limit=100', token.outsider).expect(200)).body)).toEqual([]);
      // Paged by the cursor, the same items in the same order.
      const pages: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await get(`/escalations?tableId=${table.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, token.municipality).expect(200);
        pages.push(...ids(page.body));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(pages).toEqual(ids(mine.body));
    });
  });

  describe('the response deadline, in working days from the day of the request (moved clock)', () => {
    it('skips Good Friday and Easter Monday (default 5 working days)', async () => {
      // Thursday 2 April 2026; Good Friday 3 April and Easter Monday 6 April are no working days.
      const clock = setClock(t, '2026-04-02T08:00:00Z');
      try {
        const res = await act(await givenEscalation('proposed'), 'request', token.chair).expect(200);
        expect(res.body.responseDueDate).toBe('2026-04-13');
        expect(res.body.requestedAt).toBe('2026-04-02T08:00:00.000Z');
      } finally {
        clock.restore();
      }
    });

    it("skips King's Day and 5 May with the table's own deadline per track", async () => {
      const settings = await put(`/tables/${table.id}/escalation-settings`, token.chair, { responseWorkingDays: [{ track: 'htl_placement', workingDays: 3 }, { track: 'top_x', workingDays: 1 }] }).expect(200);
      expect(settings.body.responseWorkingDays).toEqual(expect.arrayContaining([{ track: 'htl_placement', workingDays: 3 }, { track: 'ind_priority', workingDays: 5 }]));
      // Friday 24 April 2026: Monday 27 April is King's Day. Monday 4 May: Tuesday 5 May is Liberation Day.
      const clock = setClock(t, '2026-04-24T09:00:00Z');
      try {
        expect((await act(await givenEscalation('proposed'), 'request', token.chair).expect(200)).body.responseDueDate).toBe('2026-04-30');
        clock.set('2026-05-03T22:30:00Z'); // already Monday 4 May in Amsterdam
        expect((await act(await givenEscalation('proposed', 'top_x'), 'request', token.chair).expect(200)).body.responseDueDate).toBe('2026-05-06');
      } finally {
        clock.restore();
        await put(`/tables/${table.id}/escalation-settings`, token.chair, {}).expect(200);
      }
    });

    it('lets only the chair change the settings, and refuses what cannot be counted', async () => {
      expect((await put(`/tables/${table.id}/escalation-settings`, token.coa, {}).expect(403)).body.code).toBe('chair_only');
      const bad = await put(`/tables/${table.id}/escalation-settings`, token.chair, {
        responseWorkingDays: [{ track: 'top_x', workingDays: 0 }, { track: 'nowhere', workingDays: 3 }],
        departureInterview: { enabled: true, workingDays: 61 },
      }).expect(400);
      expect(bad.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['departureInterview.workingDays', 'responseWorkingDays.0.workingDays', 'responseWorkingDays.1.track']);
      await expect(q(`INSERT INTO table_escalation_settings (table_id, response_working_days) VALUES ($1, '{"top_x": 2.5}')`, [other.id])).rejects.toThrow(/response_check/);
    });
  });

  describe('rules propose, never decide', () => {
    let policeSystem: string;
    beforeAll(async () => {
      policeSystem = await partnerToken(t, token.admin, table.organisations.POLICE!, ['incidents:write']);
    });

    it('a severe incident proposes an HTL placement once, by the system, disclosed under the incident category', async () => {
      const c = await freshCase();
      const res = await post(`/cases/${c.id}/incidents`, token.police, incident({ severity: 'severe' })).expect(201);
      const [proposal] = await proposals(c.id);
      expect(proposal).toMatchObject({ track: 'htl_placement', trigger_category: 'criminal', requested_by_organisation_id: null });
      expect(proposal.rule_id).toEqual(expect.any(String));
      // A second severe incident: the proposal is still open, so nothing new.
      await post(`/cases/${c.id}/incidents`, token.police, incident({ severity: 'severe', kind: 'threat' })).expect(201);
      expect(await proposals(c.id)).toHaveLength(1);

      // Done by the system, in the request that recorded the incident.
      const [audit] = await q(`SELECT actor_kind, actor_id, organisation_id, role, categories FROM audit_log WHERE action = 'escalation.propose_by_rule' AND trace_id = $1`, [
        res.headers['x-request-id'],
      ]);
      expect(audit).toEqual({ actor_kind: 'system', actor_id: null, organisation_id: null, role: null, categories: ['deliberation', 'criminal'] });
      const [processing] = await q(`SELECT api_client_id, processing_activity_id FROM processing_log WHERE operation_name = 'escalation.propose_by_rule' AND trace_id = $1`, [
        res.headers['x-request-id'],
      ]);
      const [activity] = await q(`SELECT id FROM processing_activity WHERE table_id = $1 AND category = 'deliberation'`, [table.id]);
      expect(processing).toEqual({ api_client_id: null, processing_activity_id: activity.id });
      expect(await count(`FROM domain_event WHERE aggregate_id = $1 AND type = 'escalation.proposed'`, [proposal.id])).toBe(1);

      // Which rule fired tells of an offence: the police see it, the municipality (no criminal) only that a rule proposed.
      const asPolice = await get(`/escalations/${proposal.id}`, token.police).expect(200);
      expect(asPolice.body).toMatchObject({ proposedBy: 'rule', ruleId: proposal.rule_id, requestedByOrganisationId: null, status: 'proposed' });
      expect(asPolice.body.history).toEqual([expect.objectContaining({ fromStatus: null, toStatus: 'proposed', actorKind: 'system', actorOrganisationId: null })]);
      const asMunicipality = await get(`/escalations/${proposal.id}`, token.municipality).expect(200);
      expect(asMunicipality.body.proposedBy).toBe('rule');
      expect(asMunicipality.body).not.toHaveProperty('ruleId');
      expect(asMunicipality.body.reason).toBe('Voorstel van een escalatieregel van de tafel: Plaatsing HTL. De tafel beslist of zij opschaalt.');
      const touched = async (r: { headers: Record<string, string> }) =>
        (await q(`SELECT categories FROM audit_log WHERE action = 'escalation.read' AND trace_id = $1`, [r.headers['x-request-id']]))[0].categories;
      expect(await touched(asPolice)).toEqual(['deliberation', 'criminal']);
      expect(await touched(asMunicipality)).toEqual(['deliberation']);

      // The chair requests it: now the chair's organisation asks.
      const requested = await act(proposal.id, 'request', token.chair, 'Besproken: HTL aanvragen').expect(200);
      expect(requested.body).toMatchObject({ status: 'requested', requestedByOrganisationId: table.organisations.POLICE, reason: 'Besproken: HTL aanvragen' });
    });

    it('an incident against staff on public duty (VPT) proposes an HTL placement, under incidents for nuisance', async () => {
      const c = await freshCase();
      await post(`/cases/${c.id}/incidents`, token.coa, { kind: 'threat', severity: 'serious', occurredAt: new Date().toISOString(), victimKind: 'staff_public_duty' }).expect(201);
      expect(await proposals(c.id)).toEqual([expect.objectContaining({ track: 'htl_placement', trigger_category: 'incidents' })]);
    });

    it('fires once per case, track and rule when two severe pushes race', async () => {
      const c = await freshCase();
      const push = (n: number) =>
        t.http().post('/api/v1/incidents').set(bearer(policeSystem)).send({ caseReference: c.reference, externalReference: `BVH-${randomBytes(4).toString('hex')}-${n}`, ...incident({ severity: 'severe' }) });
      const answers = await Promise.all([push(1), push(2), push(3)]);
      expect(answers.map((r) => r.status)).toEqual([201, 201, 201]);
      expect(await count(`FROM incident WHERE case_id = $1`, [c.id])).toBe(3);
      expect(await proposals(c.id, 'htl_placement')).toHaveLength(1);
    });

    it('3 incidents in 30 days proposes the next COA step, also when the third and fourth race', async () => {
      const c = await freshCase();
      await post(`/cases/${c.id}/incidents`, token.coa, incident({ kind: 'house_rule_breach', classification: 'nuisance' })).expect(201);
      // Older than 30 days: not counted, and no new fact for the count either.
      await post(`/cases/${c.id}/incidents`, token.coa, incident({ kind: 'house_rule_breach', classification: 'nuisance', occurredAt: new Date(Date.now() - 40 * 86_400_000).toISOString() })).expect(201);
      expect(await proposals(c.id, 'coa_ladder')).toEqual([]);
      const push = (n: number) =>
        t.http().post('/api/v1/incidents').set(bearer(policeSystem)).send({ caseReference: c.reference, externalReference: `BVH-${randomBytes(4).toString('hex')}-${n}`, ...incident() });
      await Promise.all([push(1), push(2)]);
      const counted = await proposals(c.id, 'coa_ladder');
      expect(counted).toHaveLength(1);
      // Counted incidents include an offence: the trigger is criminal data.
      expect(counted[0].trigger_category).toBe('criminal');
      await push(3);
      expect(await proposals(c.id, 'coa_ladder')).toHaveLength(1);
    });

    it('an action not acted on twice proposes the chain marine, in the session', async () => {
      const c = await freshCase();
      const meeting = await givenMeeting(t.dataSource, table, { status: 'in_session' });
      const item = await givenAgendaItem(t.dataSource, meeting.id, { caseId: c.id });
      const [action] = await q(
        `INSERT INTO action (case_id, owner_organisation_id, description, due_date, not_acted_on_count, created_at)
         VALUES ($1, $2, 'Stopgesprek', current_date - 3, 1, now() - interval '20 days') RETURNING id`,
        [c.id, table.organisations.MUNICIPALITY],
      );
      await post(`/agenda-items/${item.id}/action-reviews`, token.chair, { actionId: action.id, outcome: 'not_acted_on', reason: 'Weer niet gedaan' }).expect(201);
      expect(await proposals(c.id)).toEqual([expect.objectContaining({ track: 'chain_marine', trigger_category: 'deliberation' })]);
    });

    it('an inactive rule proposes nothing; the chair sets the rules and every parameter problem is listed', async () => {
      const rules = (await get(`/tables/${table.id}/escalation-rules?limit=100`, token.municipality).expect(200)).body.items as { kind: string; track: string; active: boolean }[];
      expect(rules.map((r) => `${r.kind}/${r.track}/${r.active}`).sort()).toEqual([
        'action_not_acted_on/chain_marine/true',
        'incident_count/coa_ladder/true',
        'severe_incident/htl_placement/true',
        'staff_public_duty_incident/htl_placement/true',
      ]);
      expect((await put(`/tables/${table.id}/escalation-rules`, token.coa, { rules: [] }).expect(403)).body.code).toBe('chair_only');
      const bad = await put(`/tables/${table.id}/escalation-rules`, token.chair, {
        rules: [{ kind: 'incident_count', track: 'top_x', threshold: 1 }, { kind: 'severe_incident', track: 'htl_placement', windowDays: 3 }],
      }).expect(400);
      expect(bad.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['rules.0.threshold', 'rules.0.windowDays', 'rules.1.windowDays']);

      const kept = rules.filter((r) => r.kind !== 'severe_incident');
      const saved = await put(`/tables/${table.id}/escalation-rules`, token.chair, {
        rules: [{ kind: 'incident_count', track: 'coa_ladder', threshold: 3, windowDays: 30 }, { kind: 'staff_public_duty_incident', track: 'htl_placement' }, { kind: 'action_not_acted_on', track: 'chain_marine', threshold: 2 }],
      }).expect(200);
      expect(saved.body.find((r: { kind: string }) => r.kind === 'severe_incident').active).toBe(false);
      expect(saved.body.filter((r: { active: boolean }) => r.active)).toHaveLength(kept.length);
      try {
        const c = await freshCase();
        await post(`/cases/${c.id}/incidents`, token.police, incident({ severity: 'severe' })).expect(201);
        expect(await proposals(c.id)).toEqual([]);
      } finally {
        await t.dataSource.query(`UPDATE escalation_rule SET active = true WHERE table_id = $1`, [table.id]);
      }
    });

    it('lands on the next draft agenda, ahead of a case with an overdue action', async () => {
      const drafting = await givenTable(t.dataSource);
      await t.dataSource.transaction((m) => installDefaultEscalationRules(m, drafting.id));
      const chair = (await login(t, (await givenTableUser(t.dataSource, drafting, 'COA', 'chair')).email)).accessToken;
      const overdue = await givenCase(t.dataSource, drafting);
      await q(`INSERT INTO action (case_id, owner_organisation_id, description, due_date) VALUES ($1, $2, 'Gesprek', current_date - 5)`, [overdue.id, drafting.organisations.POLICE]);
      const proposed = await givenCase(t.dataSource, drafting);
      // A minor incident is news for group 4 only; the rule's proposal puts the case in group 1.
      await post(`/cases/${proposed.id}/incidents`, chair, { kind: 'threat', severity: 'minor', occurredAt: new Date().toISOString(), victimKind: 'staff_public_duty' }).expect(201);
      const meeting = await post(`/tables/${drafting.id}/meetings`, chair, { scheduledAt: new Date(Date.now() + 9 * 86_400_000).toISOString(), location: 'azc' }).expect(201);
      await post(`/meetings/${meeting.body.id}/agenda/_draft`, chair).expect(200);
      const items = await q(`SELECT case_id, reasons FROM agenda_item WHERE meeting_id = $1 ORDER BY position`, [meeting.body.id]);
      expect(items.map((i: { case_id: string }) => i.case_id)).toEqual([proposed.id, overdue.id]);
      expect(items[0].reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'escalation_proposed', detail: 'htl_placement', category: 'deliberation' })]));
    });
  });

  describe('a negative IND decision starts the departure interview of DT&V', () => {
    const departureActions = (caseId: string) => q(`SELECT id, owner_organisation_id, description, due_date::text AS due_date, meeting_id FROM action WHERE case_id = $1`, [caseId]);

    it('creates exactly one action, due in 2 working days across Good Friday and Easter Monday, by the system', async () => {
      const c = await freshCase();
      const clock = setClock(t, '2026-04-02T10:00:00Z');
      try {
        const res = await post(`/cases/${c.id}/ind-decisions`, token.ind, { outcome: 'negative', decidedOn: '2026-04-01' }).expect(201);
        const actions = await departureActions(c.id);
        expect(actions).toEqual([{ id: res.body.departureActionId, owner_organisation_id: table.organisations.DTV, description: 'Vertrekgesprek', due_date: '2026-04-08', meeting_id: null }]);
        expect(res.body).toMatchObject({ caseId: c.id, outcome: 'negative', decidedOn: '2026-04-01', recordedByOrganisationId: table.organisations.IND });
        const [audit] = await q(`SELECT actor_kind, actor_id FROM audit_log WHERE action = 'action.create_by_chain_automation' AND trace_id = $1`, [res.headers['x-request-id']]);
        expect(audit).toEqual({ actor_kind: 'system', actor_id: null });
        expect(await count(`FROM domain_event WHERE aggregate_id = $1 AND type = 'action.assigned'`, [res.body.departureActionId])).toBe(1);

        // Sent again: the decision recorded before, and still one action.
        const again = await post(`/cases/${c.id}/ind-decisions`, token.ind, { outcome: 'negative', decidedOn: '2026-04-01' }).expect(200);
        expect(again.body.id).toBe(res.body.id);
        expect(await departureActions(c.id)).toHaveLength(1);
        // A decision dated after today (on the moved clock) is refused.
        expect((await post(`/cases/${c.id}/ind-decisions`, token.ind, { outcome: 'negative', decidedOn: '2026-04-03' }).expect(400)).body.invalidParams[0].name).toBe('decidedOn');
      } finally {
        clock.restore();
      }
    });

    it('creates one action when the same decision is sent twice at once', async () => {
      const c = await freshCase();
      const decidedOn = amsterdamDate(new Date());
      const answers = await Promise.all([1, 2].map(() => post(`/cases/${c.id}/ind-decisions`, token.ind, { outcome: 'negative', decidedOn })));
      expect(answers.map((r) => r.status).sort()).toEqual([200, 201]);
      expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
      expect(await departureActions(c.id)).toHaveLength(1);
      expect(await count(`FROM ind_decision WHERE case_id = $1`, [c.id])).toBe(1);
    });

    it('creates nothing for a positive decision, nor when the table turned it off; the municipality may not record one', async () => {
      const c = await freshCase();
      const positive = await post(`/cases/${c.id}/ind-decisions`, token.ind, { outcome: 'positive', decidedOn: amsterdamDate(new Date()) }).expect(201);
      expect(positive.body.departureActionId).toBeNull();
      await put(`/tables/${table.id}/escalation-settings`, token.chair, { departureInterview: { enabled: false, workingDays: 2 } }).expect(200);
      try {
        const off = await post(`/cases/${c.id}/ind-decisions`, token.dtv, { outcome: 'negative', decidedOn: amsterdamDate(new Date()) }).expect(201);
        expect(off.body.departureActionId).toBeNull();
      } finally {
        await put(`/tables/${table.id}/escalation-settings`, token.chair, {}).expect(200);
      }
      expect(await departureActions(c.id)).toEqual([]);
      expect((await post(`/cases/${c.id}/ind-decisions`, token.municipality, { outcome: 'negative', decidedOn: '2026-01-05' }).expect(403)).body.code).toBe('category_not_granted');
      // Listed for those granted procedure only.
      expect(await get(`/cases/${c.id}/ind-decisions`, token.ind).expect(200).then((r) => r.body.length)).toBe(2);
      expect((await get(`/cases/${c.id}/ind-decisions`, token.municipality).expect(200)).body).toEqual([]);
    });
  });
});
