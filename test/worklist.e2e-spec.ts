import { addWorkingDays } from '../src/common/working-days';
import { defaultGrants, saveCovenantVersion } from '../src/tables/covenant-writer';
import { setClock } from './support/clock';
import { givenAction, givenCase, givenIncident, givenTable, GivenTable, givenTableUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

const TODAY = '2026-11-10';

describe("the chair's worklist", () => {
  let t: TestApp;
  let table: GivenTable;
  let other: GivenTable;
  let chair: string;
  let member: string;
  let outsider: string;
  const c = {} as Record<'escalated' | 'overdue' | 'review' | 'incidents' | 'noStrategy' | 'quiet' | 'closed' | 'elsewhere', { id: string; reference: string; subjectId: string }>;
  const ids = { escalation: '', overdue: '', offence: '', nuisance: '' };

  const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);
  const get = (path: string, token: string) => t.http().get(`/api/v1${path}`).set(bearer(token));
  const withStrategy = async (caseId: string) => q(`INSERT INTO case_strategy (case_id, revision, kind, text) VALUES ($1, 1, 'nuisance', 'Aanpak overlast')`, [caseId]);
  let clock: ReturnType<typeof setClock>;

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    const ds = t.dataSource;
    table = await givenTable(ds);
    other = await givenTable(ds, { memberTypes: ['COA'] });
    const chairUser = await givenTableUser(ds, table, 'POLICE', 'chair');
    chair = (await login(t, chairUser.email)).accessToken;
    member = (await login(t, (await givenTableUser(ds, table, 'COA')).email)).accessToken;
    outsider = (await login(t, (await givenTableUser(ds, other, 'COA', 'chair')).email)).accessToken;
    // The chair also sits at the other table, as a member only: nothing of it is on their worklist.
    await q(`INSERT INTO table_member_organisation (table_id, organisation_id) VALUES ($1, $2)`, [other.id, table.organisations.POLICE]);
    await q(`INSERT INTO table_membership (table_id, user_id, role) VALUES ($1, $2, 'member')`, [other.id, chairUser.id]);

    for (const key of Object.keys({ escalated: 0, overdue: 0, review: 0, incidents: 0, noStrategy: 0, quiet: 0, closed: 0 }) as (keyof typeof c)[]) {
      c[key] = await givenCase(ds, table, { status: key === 'closed' ? 'closed' : 'active' });
      if (key !== 'noStrategy') await withStrategy(c[key].id);
    }
    c.elsewhere = await givenCase(ds, other);
    await withStrategy(c.elsewhere.id);

    // The table met last week; what was recorded before its close was discussed.
    await q(`INSERT INTO meeting (table_id, scheduled_at, status, opened_at, closed_at, minutes) VALUES ($1, $2, 'closed', $2, $3, '{}')`, [
      table.id,
      '2026-11-03T09:00:00Z',
      '2026-11-03T11:00:00Z',
    ]);
    const [escalation] = await q(
      `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, status, reason, response_due_date, requested_at)
       VALUES ($1, 'ind_priority', 'IND', $2, 'requested', 'Prioriteit gevraagd', '2026-11-09', now()) RETURNING id`,
      [c.escalated.id, table.organisations.COA],
    );
    ids.escalation = escalation.id;
    // Due on a date that, on the moved clock, has passed; and one not yet due.
    ids.overdue = (await givenAction(ds, c.overdue.id, table.organisations.POLICE!, { dueDate: '2026-11-06' })).id;
    await givenAction(ds, c.quiet.id, table.organisations.POLICE!, { dueDate: addWorkingDays(TODAY, 3) });
    await givenAction(ds, c.closed.id, table.organisations.POLICE!, { dueDate: '2026-11-01' });
    await givenAction(ds, c.elsewhere.id, table.organisations.POLICE!, { dueDate: '2026-11-01' });
    await q(`UPDATE case_file SET review_date = $2 WHERE id = $1`, [c.review.id, TODAY]);
    await q(`UPDATE case_file SET review_date = '2026-12-01' WHERE id = $1`, [c.quiet.id]);
    ids.offence = (await givenIncident(ds, c.incidents.id, table.organisations.POLICE!, { classification: 'offence' })).id;
    ids.nuisance = (await givenIncident(ds, c.incidents.id, table.organisations.COA!, { classification: 'nuisance' })).id;
    // Recorded before the close: not new.
    await q(
      `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, created_at)
       VALUES ($1, $2, 'theft', 'nuisance', 'minor', '2026-11-01T10:00:00Z', '2026-11-01T10:00:00Z')`,
      [c.quiet.id, table.organisations.COA],
    );
    clock = setClock(t, `${TODAY}T08:00:00Z`);
  });
  afterAll(async () => {
    clock?.restore();
    await t.close();
  });

  const byCase = (items: { case: { id: string }; reasons: { code: string; category: string; count: number; dueDate?: string | null; ids: string[] }[] }[]) =>
    Object.fromEntries(items.map((i) => [i.case.id, i.reasons.map((r) => `${r.code}/${r.category}`)]));

  it('lists what needs attention at the table, most pressing first, and nothing else', async () => {
    const res = await get(`/tables/${table.id}/worklist`, chair).expect(200);
    expect(res.body.items.map((i: { case: { id: string } }) => i.case.id)).toEqual([c.escalated.id, c.overdue.id, c.incidents.id, c.review.id, c.noStrategy.id]);
    expect(byCase(res.body.items)).toEqual({
      [c.escalated.id]: ['escalation_awaiting_response/deliberation'],
      [c.overdue.id]: ['overdue_actions/deliberation'],
      [c.incidents.id]: ['new_incidents/criminal', 'new_incidents/incidents'],
      [c.review.id]: ['review_due/deliberation'],
      [c.noStrategy.id]: ['no_strategy/deliberation'],
    });
    const [escalated, overdue, incidents] = res.body.items;
    expect(escalated.reasons[0]).toEqual({ category: 'deliberation', code: 'escalation_awaiting_response', count: 1, dueDate: '2026-11-09', ids: [ids.escalation] });
    expect(overdue.reasons[0]).toEqual({ category: 'deliberation', code: 'overdue_actions', count: 1, dueDate: '2026-11-06', ids: [ids.overdue] });
    expect(incidents.reasons.map((r: { ids: string[] }) => r.ids)).toEqual([[ids.offence], [ids.nuisance]]);
    // Each case is the case summary, disclosed under the covenant (the police: identity, deliberation, ...).
    expect(overdue.case).toMatchObject({ id: c.overdue.id, tableId: table.id, reference: c.overdue.reference, status: 'active', overdueActions: 1, subject: { familyName: 'Testpersoon' } });
    expect(overdue.tableId).toBe(table.id);
  });

  it("answers on the clock: an action turns overdue the day after it was due", async () => {
    clock.set(`${addWorkingDays(TODAY, 5)}T08:00:00Z`);
    try {
      const res = await get(`/tables/${table.id}/worklist`, chair).expect(200);
      expect(byCase(res.body.items)[c.quiet.id]).toEqual(['overdue_actions/deliberation']);
    } finally {
      clock.set(`${TODAY}T08:00:00Z`);
    }
  });

  it('is the chair\'s: members are refused, outsiders find no table, and /worklist holds only the tables the caller chairs', async () => {
    expect((await get(`/tables/${table.id}/worklist`, member).expect(403)).body.code).toBe('chair_only');
    await get(`/tables/${table.id}/worklist`, outsider).expect(404);
    await get(`/tables/${other.id}/worklist`, chair).expect(403);

    const mine = await get('/worklist', chair).expect(200);
    expect(new Set(mine.body.items.map((i: { tableId: string }) => i.tableId))).toEqual(new Set([table.id]));
    expect(mine.body.items.map((i: { case: { id: string } }) => i.case.id)).not.toContain(c.elsewhere.id);
    expect((await get('/worklist', member).expect(200)).body).toEqual({ items: [], nextCursor: null });
    const theirs = await get('/worklist', outsider).expect(200);
    expect(theirs.body.items.map((i: { case: { id: string } }) => i.case.id)).toEqual([c.elsewhere.id]);
  });

  it('lists only reasons of categories the covenant grants, and a case without one not at all', async () => {
    const grants = defaultGrants().filter((g) => !(g.organisationType === 'POLICE' && ['criminal', 'identity'].includes(g.category)));
    await t.dataSource.transaction((m) => saveCovenantVersion(m, table.id, grants, null, 'Politie zonder strafrechtelijke gegevens'));
    try {
      const res = await get(`/tables/${table.id}/worklist`, chair).expect(200);
      expect(byCase(res.body.items)[c.incidents.id]).toEqual(['new_incidents/incidents']);
      expect(JSON.stringify(res.body)).not.toContain(ids.offence);
      expect(res.body.items[0].case.subject).toBeUndefined();

      const noIncidents = grants.filter((g) => !(g.organisationType === 'POLICE' && g.category === 'incidents'));
      await t.dataSource.transaction((m) => saveCovenantVersion(m, table.id, noIncidents, null, 'Politie zonder incidenten'));
      const narrower = await get(`/tables/${table.id}/worklist`, chair).expect(200);
      expect(narrower.body.items.map((i: { case: { id: string } }) => i.case.id)).not.toContain(c.incidents.id);
    } finally {
      await t.dataSource.transaction((m) => saveCovenantVersion(m, table.id, defaultGrants(), null, 'Standaard'));
    }
  });

  it('pages the worklist: one case at a time, following the Link header, gives the whole list in order; each page logs only its own cases', async () => {
    const whole = await get(`/tables/${table.id}/worklist?limit=100`, chair).expect(200);
    expect(whole.body.nextCursor).toBeNull();
    const seen: string[] = [];
    let next: string | undefined = `/api/v1/tables/${table.id}/worklist?limit=1`;
    while (next) {
      const res: { body: { items: { case: { id: string } }[]; nextCursor: string | null }; headers: Record<string, string> } = await t.http().get(next).set(bearer(chair)).expect(200);
      expect(res.body.items).toHaveLength(1);
      seen.push(res.body.items[0].case.id);
      const entries = await q(`SELECT count(*)::int AS n FROM processing_log WHERE trace_id = $1`, [res.headers['x-request-id']]);
      expect(entries[0].n).toBe(1);
      next = res.headers.link?.match(/^<([^>]+)>; rel="next"$/)?.[1];
      expect(Boolean(next)).toBe(res.body.nextCursor !== null);
    }
    expect(seen).toEqual(whole.body.items.map((i: { case: { id: string } }) => i.case.id));
    const mine = await get('/worklist?limit=2', chair).expect(200);
    expect(mine.body.items.map((i: { case: { id: string } }) => i.case.id)).toEqual(seen.slice(0, 2));
    const rest = await get(`/worklist?limit=100&cursor=${mine.body.nextCursor}`, chair).expect(200);
    expect(rest.body.items.map((i: { case: { id: string } }) => i.case.id)).toEqual(seen.slice(2));
    // A cursor of a table the caller does not chair, or forged, is a 400 naming it.
    const theirs = await get('/worklist?limit=1', outsider).expect(200);
    expect(theirs.body.nextCursor).toBeNull();
    for (const cursor of [mine.body.nextCursor.slice(0, -2), 'x']) {
      expect((await get(`/worklist?cursor=${cursor}`, outsider).expect(400)).body.invalidParams).toEqual([expect.objectContaining({ name: 'cursor' })]);
    }
    expect((await get(`/worklist?cursor=${mine.body.nextCursor}`, outsider).expect(400)).body.invalidParams).toEqual([expect.objectContaining({ name: 'cursor' })]);
  });

  it('logs the read like any list of cases: one processing-log entry per subject listed', async () => {
    const res = await get(`/tables/${table.id}/worklist`, chair).expect(200);
    const entries = await q(`SELECT operation_name, table_id FROM processing_log WHERE trace_id = $1`, [res.headers['x-request-id']]);
    expect(entries).toHaveLength(res.body.items.length);
    expect(new Set(entries.map((e: { operation_name: string }) => e.operation_name))).toEqual(new Set(['worklist.read']));
    const [audit] = await q(`SELECT action, result, categories, subject_count FROM audit_log WHERE trace_id = $1`, [res.headers['x-request-id']]);
    expect(audit).toMatchObject({ action: 'worklist.read', result: 'allowed', subject_count: 5 });
    expect(audit.categories).toEqual(expect.arrayContaining(['deliberation', 'identity', 'incidents', 'criminal']));
  });
});
