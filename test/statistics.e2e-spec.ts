import { randomBytes } from 'node:crypto';
import { GlobalRole } from '../src/auth/permissions';
import { MEASURE_TYPE_CODES } from '../src/cases/measure-catalogue';
import { LESS_THAN_TEN } from '../src/statistics/disclosure-control';
import { CSV_HEADER } from '../src/statistics/statistics-csv';
import { STATISTICS_SETTINGS, STATISTICS_SQL, statisticsParams, type StatisticsRow } from '../src/statistics/statistics.sql';
import { setClock } from './support/clock';
import { givenMembership, givenOrganisation, givenSubject, givenTable, GivenTable, givenTableUser, givenUser } from './support/factories';
import { bearer, login, partnerToken, startTestApp, TestApp } from './support/test-app';

/**
 * Quarterly statistics (issue 10, item 4) against real PostgreSQL: the statement's exact counts (quarter
 * boundaries in Europe/Amsterdam, transfers, first measures, actions on time), and through the API the
 * rounding, small-cell and complementary suppression, withheld medians, JSON and CSV without any personal
 * data, who may read, and the audit entries with purpose `statistics`.
 */

const NOW = '2026-11-16T10:00:00Z'; // a Monday in Q4 2026: Q3 is complete
const FAMILY_NAME = 'Zwanenburg-Statistiek';
const GIVEN_NAMES = 'Quirijntje';
const DATE_OF_BIRTH = '1987-06-05';

describe('statistics', () => {
  let t: TestApp;
  let table: GivenTable; // GM0243, alone in its municipality
  let second: GivenTable; // GM0344, with `third`
  let third: GivenTable;
  let elsewhere: GivenTable; // GM0363
  const tokens = {} as Record<'chair' | 'member' | 'municipality' | 'otherMunicipality' | 'privacyOfficer' | 'admin' | 'outsider' | 'partner', string>;
  const vNumbers: string[] = [];
  let clock: ReturnType<typeof setClock>;

  const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);
  const get = (path: string, token: string, headers: Record<string, string> = {}) => t.http().get(`/api/v1${path}`).set(bearer(token)).set(headers);

  async function caseAt(at: GivenTable, openedAt: string, closedAt?: string): Promise<string> {
    const vNumber = `93${String(vNumbers.length).padStart(8, '0')}`;
    vNumbers.push(vNumber);
    const subject = await givenSubject(t.dataSource, { vNumber, familyName: FAMILY_NAME, givenNames: GIVEN_NAMES, dateOfBirth: DATE_OF_BIRTH });
    const [row] = await q(
      `INSERT INTO case_file (table_id, subject_id, reference, status, opened_at, closed_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [at.id, subject.id, `${at.prefix}-S-${randomBytes(4).toString('hex')}`, closedAt ? 'closed' : 'active', openedAt, closedAt ?? null],
    );
    return row.id;
  }
  const incident = (caseId: string, at: GivenTable, kind: string, classification: string, occurredAt: string) =>
    q(
      `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, description, place)
       VALUES ($1, $2, $3, $4, 'minor', $5, $6, $7)`,
      [caseId, at.organisations.COA, kind, classification, occurredAt, `Beschrijving over ${FAMILY_NAME}`, 'Stationsplein'],
    );
  const measure = (caseId: string, at: GivenTable, type: string, startsAt: string) =>
    q(`INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at) VALUES ($1, $2, $3, 'Test', $4)`, [caseId, type, at.organisations.MUNICIPALITY, startsAt]);
  const escalation = (caseId: string, at: GivenTable, status: string, requestedAt: string) =>
    q(
      `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, status, requested_at, response_due_date)
       VALUES ($1, 'ind_priority', 'IND', $2, $3, $4, ($4::timestamptz + interval '10 days')::date)`,
      [caseId, at.organisations.COA, status, requestedAt],
    );
  const action = (caseId: string, at: GivenTable, dueDate: string, completedAt: string, notActedOn = 0) =>
    q(
      `INSERT INTO action (case_id, owner_organisation_id, description, due_date, status, completed_at, not_acted_on_count)
       VALUES ($1, $2, 'Gesprek', $3, 'done', $4, $5)`,
      [caseId, at.organisations.POLICE, dueDate, completedAt, notActedOn],
    );

  /** The statement's rows for these tables and quarter, as the application runs it. */
  async function rawRows(tables: GivenTable[], from: string, until: string): Promise<StatisticsRow[]> {
    return t.dataSource.transaction(async (m) => {
      await m.query(STATISTICS_SETTINGS);
      return m.query(STATISTICS_SQL, statisticsParams(tables.map((x) => x.id), from, until, new Date(NOW), MEASURE_TYPE_CODES));
    });
  }
  const value = (rows: StatisticsRow[], part: StatisticsRow['part'], tableId: string | null, figure: string, key: string | null = null) =>
    rows.find((r) => r.part === part && r.table_id === tableId && r.figure === figure && r.key === key)?.value ?? 0;

  beforeAll(async () => {
    t = await startTestApp({ seed: false, role: 'api' });
    const ds = t.dataSource;
    table = await givenTable(ds);
    second = await givenTable(ds);
    third = await givenTable(ds);
    elsewhere = await givenTable(ds);
    await q(`UPDATE chain_table SET municipality_code = 'GM0344' WHERE id = ANY($1)`, [[second.id, third.id]]);
    await q(`UPDATE chain_table SET municipality_code = 'GM0363' WHERE id = $1`, [elsewhere.id]);
    await q(`UPDATE organisation SET municipality_code = 'GM0243' WHERE id = $1`, [table.organisations.MUNICIPALITY]);
    await q(`UPDATE organisation SET municipality_code = 'GM0363' WHERE id = $1`, [elsewhere.organisations.MUNICIPALITY]);

    const administration = await givenOrganisation(ds, 'ADMINISTRATION');
    const tokenOf = async (user: { email: string }) => (await login(t, user.email)).accessToken;
    tokens.chair = await tokenOf(await givenTableUser(ds, table, 'COA', 'chair'));
    tokens.member = await tokenOf(await givenTableUser(ds, table, 'POLICE'));
    // The municipality's own organisation, not sitting at the table; and another municipality's, sitting at its own.
    tokens.municipality = await tokenOf(await givenUser(ds, table.organisations.MUNICIPALITY!));
    tokens.otherMunicipality = await tokenOf(await givenTableUser(ds, elsewhere, 'MUNICIPALITY'));
    tokens.privacyOfficer = await tokenOf(await givenUser(ds, administration, [GlobalRole.PrivacyOfficer]));
    const admin = await givenUser(ds, administration, [GlobalRole.Admin]);
    tokens.admin = await tokenOf(admin);
    const outsider = await givenUser(ds, table.organisations.COA!);
    await givenMembership(ds, elsewhere.id, outsider.id);
    await q(`INSERT INTO table_member_organisation (table_id, organisation_id) VALUES ($1, $2)`, [elsewhere.id, table.organisations.COA]);
    tokens.outsider = await tokenOf(outsider);
    tokens.partner = await partnerToken(t, tokens.admin, table.organisations.POLICE!, ['actions:read']);

    // Q3 2026 runs from 2026-07-01 00:00 to 2026-10-01 00:00 in Amsterdam (CEST, UTC+2): 2026-06-30T22:00Z to 2026-09-30T22:00Z.
    const core: string[] = [];
    for (let i = 1; i <= 13; i++) core.push(await caseAt(table, `2026-08-${String(i).padStart(2, '0')}T09:00:00Z`));
    const atStart = await caseAt(table, '2026-06-30T22:30:00Z'); // 1 July 00:30 in Amsterdam, still 30 June in UTC
    await caseAt(table, '2026-09-30T21:30:00Z'); // 30 September 23:30 in Amsterdam
    await caseAt(table, '2026-06-30T21:30:00Z'); // 30 June 23:30 in Amsterdam: Q2
    await caseAt(table, '2026-09-30T22:30:00Z'); // 1 October 00:30 in Amsterdam: Q4
    // Opened on 1 February (Q1), twelve of them closed 1 to 12 August: 181 to 192 days.
    const earlier: string[] = [];
    for (let i = 1; i <= 13; i++) {
      earlier.push(await caseAt(table, '2026-02-01T09:00:00Z', i <= 12 ? `2026-08-${String(i).padStart(2, '0')}T12:00:00Z` : undefined));
    }

    // Incidents in Q3: 14 thefts (nuisance) of 14 people, 9 violent offences of 9 others: 23 of 23 people.
    for (const id of [...core, atStart]) await incident(id, table, 'theft', 'nuisance', '2026-08-20T10:00:00Z');
    for (const id of earlier.slice(0, 9)) await incident(id, table, 'violence', 'offence', '2026-09-02T10:00:00Z');
    // Measures in Q3: 3 area bans, the first measures of cases opened 1-3 August (imposed 20 August: 19, 18, 17 days),
    // and one of a case opened in Q1, which is not of Q3's cases (its first was in March). A later measure is not a first.
    for (const id of core.slice(0, 3)) await measure(id, table, 'area_ban', '2026-08-20T10:00:00Z');
    await measure(core[0], table, 'reporting_duty', '2026-09-20T10:00:00Z');
    await measure(earlier[12], table, 'intensive_guidance', '2026-03-01T10:00:00Z');
    await measure(earlier[12], table, 'withholding_allowance', '2026-08-25T10:00:00Z');
    // IND priority requested for 11 people in Q3: 5 awaiting an answer, 6 accepted and decided on since.
    for (const [i, id] of core.slice(0, 11).entries()) await escalation(id, table, i < 5 ? 'requested' : 'accepted', '2026-09-01T10:00:00Z');
    for (const id of core.slice(5, 11)) {
      await q(`INSERT INTO ind_decision (case_id, outcome, decided_on, recorded_by_organisation_id) VALUES ($1, 'negative', '2026-09-15', $2)`, [id, table.organisations.IND]);
    }
    // Actions due in Q3: 8 done on time (one on its due date, late in the evening in Amsterdam), 4 late, 2 of those reviewed as not acted on.
    for (const id of core.slice(0, 7)) await action(id, table, '2026-09-10', '2026-09-08T10:00:00Z');
    await action(core[7], table, '2026-09-10', '2026-09-10T21:30:00Z'); // 23:30 on the 10th in Amsterdam
    for (const [i, id] of core.slice(8, 12).entries()) await action(id, table, '2026-09-10', '2026-09-10T22:30:00Z', i < 2 ? 1 : 0); // the 11th in Amsterdam

    // A case opened in Q3 at the second table, moved to the table elsewhere halfway: its incident before the
    // move stays at the second table, the one after it counts elsewhere, as does nothing of its opening.
    const moving = await caseAt(second, '2026-07-10T10:00:00Z');
    await incident(moving, second, 'threat', 'nuisance', '2026-07-20T10:00:00Z');
    await q(`UPDATE case_file SET table_id = $2 WHERE id = $1`, [moving, elsewhere.id]);
    await q(`INSERT INTO case_transfer (case_id, from_table_id, to_table_id, reason, transferred_at) VALUES ($1, $2, $3, 'Verhuisd', '2026-08-01T10:00:00Z')`, [
      moving,
      second.id,
      elsewhere.id,
    ]);
    await incident(moving, elsewhere, 'vandalism', 'nuisance', '2026-08-10T10:00:00Z');
    await caseAt(third, '2026-07-15T10:00:00Z');
    clock = setClock(t, NOW);
  }, 120_000);

  afterAll(async () => {
    clock?.restore();
    await t?.close();
  });

  describe('the statement', () => {
    it('counts the quarter from midnight to midnight in Europe/Amsterdam', async () => {
      const q3 = await rawRows([table], '2026-07-01', '2026-10-01');
      expect(value(q3, 'count', table.id, 'cases_opened')).toBe(15);
      expect(value((await rawRows([table], '2026-04-01', '2026-07-01')), 'count', table.id, 'cases_opened')).toBe(1);
      // The current quarter, so far: the case of 1 October 00:30.
      expect(value((await rawRows([table], '2026-10-01', '2027-01-01')), 'count', table.id, 'cases_opened')).toBe(1);
    });

    it('counts every figure exactly, with the people behind each breakdown and the medians', async () => {
      const rows = await rawRows([table], '2026-07-01', '2026-10-01');
      const v = (part: StatisticsRow['part'], figure: string, key: string | null = null) => value(rows, part, table.id, figure, key);
      expect({
        closed: v('count', 'cases_closed'),
        theft: v('count', 'incidents', 'theft:nuisance'),
        violence: v('count', 'incidents', 'violence:offence'),
        incidentPeople: v('persons', 'incidents'),
        areaBans: v('count', 'measures', 'area_ban'),
        withholding: v('count', 'measures', 'withholding_allowance'),
        reportingDuty: v('count', 'measures', 'reporting_duty'),
        firstMeasures: v('median_cases', 'first_measure'),
        daysToFirstMeasure: v('median', 'first_measure'),
        awaiting: v('count', 'escalations', 'ind_priority:requested'),
        accepted: v('count', 'escalations', 'ind_priority:accepted'),
        decided: v('count', 'ind_priority_decided'),
        onTime: v('count', 'actions', 'completed_on_time'),
        late: v('count', 'actions', 'completed_late'),
        notActedOn: v('count', 'actions_not_acted_on'),
        daysToClose: v('median', 'cases_closed'),
        closedCases: v('median_cases', 'cases_closed'),
      }).toEqual({
        closed: 12,
        theft: 14,
        violence: 9,
        incidentPeople: 23,
        areaBans: 3,
        withholding: 1,
        reportingDuty: 1,
        firstMeasures: 3,
        daysToFirstMeasure: 18,
        awaiting: 5,
        accepted: 6,
        decided: 6,
        onTime: 8,
        late: 4,
        notActedOn: 2,
        daysToClose: 186.5,
        closedCases: 12,
      });
    });

    it('counts events at the table their case was at, and a transferred case at both', async () => {
      const rows = await rawRows([second, third], '2026-07-01', '2026-10-01');
      expect(value(rows, 'count', second.id, 'cases_opened')).toBe(1);
      expect(value(rows, 'count', second.id, 'incidents', 'threat:nuisance')).toBe(1);
      expect(value(rows, 'count', second.id, 'incidents', 'vandalism:nuisance')).toBe(0);
      expect(value(rows, 'count', third.id, 'cases_opened')).toBe(1);
      // Over both tables (several: people are counted over all of them too).
      expect(value(rows, 'persons', null, 'incidents')).toBe(1);
      const away = await rawRows([elsewhere], '2026-07-01', '2026-10-01');
      expect(value(away, 'count', elsewhere.id, 'incidents', 'vandalism:nuisance')).toBe(1);
      expect(value(away, 'count', elsewhere.id, 'cases_opened')).toBe(0);
    });

    it('reads no identity: the statement names no subject column and selects no free text', () => {
      expect(STATISTICS_SQL).not.toMatch(/\bsubject\b\s+(\w+\s+)?(ON|WHERE|JOIN|,)|FROM subject|JOIN subject/i);
      for (const column of ['v_number', 'family_name', 'given_names', 'date_of_birth', 'nationality', 'description', 'place', 'care_notes', 'reason', 'result_note', 'note']) {
        expect({ column, used: new RegExp(`\\b\\w+\\.${column}\\b`).test(STATISTICS_SQL) }).toEqual({ column, used: false });
      }
    });
  });

  describe('through the API', () => {
    it("rounds, shows 0-9 as '< 10', suppresses small breakdowns and their complements, and withholds small medians", async () => {
      const res = await get(`/tables/${table.id}/statistics?quarter=2026-Q3`, tokens.chair).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const b = res.body;
      expect(b.scope).toBe('table');
      expect(b.period).toEqual({ quarter: '2026-Q3', from: '2026-07-01', through: '2026-09-30', timeZone: 'Europe/Amsterdam', asOf: new Date(NOW).toISOString(), complete: true });
      expect(b.cases).toEqual({ opened: 20, closed: 10 });
      expect(b.incidents.total).toBe(20);
      expect(b.incidents.byKind.theft).toBe(10);
      expect(b.incidents.byKind.violence).toBe(LESS_THAN_TEN);
      expect(b.incidents.byKind.shoplifting).toBe(LESS_THAN_TEN);
      // 20 (15 to 24) minus 10 (10 to 14) would prove at least one offence: the nuisance figure is suppressed.
      expect(b.incidents.byClassification).toEqual({ nuisance: null, offence: LESS_THAN_TEN });
      // 5 measures of 4 people: the total only.
      expect(b.measures.total).toBe(LESS_THAN_TEN);
      expect(Object.values(b.measures.byType).every((x) => x === null)).toBe(true);
      expect(Object.keys(b.measures.byType)).toEqual([...MEASURE_TYPE_CODES]);
      expect(b.indPriority).toEqual({ requested: 10, decided: LESS_THAN_TEN });
      expect(b.escalations.byTrack.ind_priority.byOutcome).toEqual({ requested: LESS_THAN_TEN, accepted: LESS_THAN_TEN, rejected: LESS_THAN_TEN, completed: LESS_THAN_TEN, withdrawn: LESS_THAN_TEN });
      expect(b.actions).toEqual({
        due: 10,
        byResult: { completed_on_time: LESS_THAN_TEN, completed_late: LESS_THAN_TEN, cancelled: LESS_THAN_TEN, open: LESS_THAN_TEN },
        notActedOn: LESS_THAN_TEN,
      });
      // 12 closings: shown; 3 first measures: withheld.
      expect(b.medians).toEqual({ daysToFirstMeasure: null, daysToClose: 187 });
      expect(b.disclosureControl).toMatchObject({ roundedTo: 10, minimumPopulation: 10, medianMinimumCases: 10 });
    });

    it('answers the current quarter so far by default, and refuses a quarter that has not begun or is malformed', async () => {
      const now = await get(`/tables/${table.id}/statistics`, tokens.member).expect(200);
      expect(now.body.period).toMatchObject({ quarter: '2026-Q4', complete: false });
      expect(now.body.cases.opened).toBe(LESS_THAN_TEN);
      for (const quarter of ['2027-Q1', '2026-Q5', '2026Q3', '2026-07', 'Q3-2026', '1999-Q4', '0000-Q1']) {
        const res = await get(`/tables/${table.id}/statistics?quarter=${quarter}`, tokens.member).expect(400);
        expect(res.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['quarter']);
      }
      expect((await get(`/tables/${table.id}/statistics?format=xlsx`, tokens.member).expect(400)).body.invalidParams[0].name).toBe('format');
    });

    it('serves the CSV for officials by Accept or format: BOM, semicolons, Dutch headers and labels, no codes', async () => {
      for (const res of [
        await get(`/tables/${table.id}/statistics?quarter=2026-Q3`, tokens.municipality, { Accept: 'text/csv' }).buffer(true).expect(200),
        await get(`/tables/${table.id}/statistics?quarter=2026-Q3&format=csv`, tokens.municipality).buffer(true).expect(200),
      ]) {
        expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
        expect(res.headers['content-disposition']).toBe(`attachment; filename="statistieken-${table.prefix}-2026-K3.csv"`);
        expect(res.headers.vary).toMatch(/Accept/);
        const text = res.text;
        expect(text.startsWith('\uFEFF')).toBe(true);
        const lines = text.slice(1).trimEnd().split('\r\n');
        expect(lines[0]).toBe(CSV_HEADER.join(';'));
        expect(lines).toContain(`GM0243;LKO ${table.prefix};2026 3e kwartaal;16-11-2026;Casussen geopend;;20;`);
        expect(lines).toContain(`GM0243;LKO ${table.prefix};2026 3e kwartaal;16-11-2026;Incidenten naar soort;diefstal;10;`);
        expect(lines).toContain(`GM0243;LKO ${table.prefix};2026 3e kwartaal;16-11-2026;Incidenten naar soort;geweld;< 10;`);
        expect(lines.find((l) => l.includes(';Incidenten naar aard;overlast;'))).toMatch(/;x;Geheim/);
        expect(lines.find((l) => l.includes('Mediaan dagen van opening tot eerste maatregel'))).toMatch(/;x;Niet getoond: minder dan 10 casussen$/);
        expect(lines).toContain(`GM0243;LKO ${table.prefix};2026 3e kwartaal;16-11-2026;Mediaan dagen van opening tot afsluiting;;187;`);
        expect(lines.filter((l) => l.split(';').length !== CSV_HEADER.length)).toEqual([]);
        // Labels, not codes.
        expect(text).not.toMatch(/\b(theft|violence|area_ban|ind_priority|completed_on_time|nuisance)\b/);
        expect(text).toContain('Voorrang IND');
      }
      const json = await get(`/tables/${table.id}/statistics?quarter=2026-Q3&format=json`, tokens.member, { Accept: 'text/csv' }).expect(200);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      const refused = await get(`/tables/${table.id}/statistics`, tokens.member, { Accept: 'application/pdf' }).expect(406);
      expect(refused.body.code).toBe('not_acceptable');
    });

    it('holds no V-number, name, date of birth or free text in JSON or CSV, for the table or the municipality', async () => {
      const bodies = [
        (await get(`/tables/${table.id}/statistics?quarter=2026-Q3`, tokens.chair).expect(200)).text,
        (await get(`/tables/${table.id}/statistics?quarter=2026-Q3&format=csv`, tokens.chair).buffer(true).expect(200)).text,
        (await get('/municipalities/GM0243/statistics?quarter=2026-Q3', tokens.municipality).expect(200)).text,
        (await get('/municipalities/GM0243/statistics?quarter=2026-Q3&format=csv', tokens.municipality).buffer(true).expect(200)).text,
      ];
      const forbidden = [...vNumbers, FAMILY_NAME, GIVEN_NAMES, DATE_OF_BIRTH, '05-06-1987', 'Beschrijving', 'Stationsplein'];
      for (const body of bodies) {
        expect(body.length).toBeGreaterThan(500);
        expect(forbidden.filter((f) => body.includes(f))).toEqual([]);
      }
    });

    it("serves a municipality's figures over all its tables, the same as its only table's", async () => {
      const one = await get('/municipalities/GM0243/statistics?quarter=2026-Q3', tokens.municipality).expect(200);
      const tableOnly = await get(`/tables/${table.id}/statistics?quarter=2026-Q3`, tokens.municipality).expect(200);
      expect(one.body.scope).toBe('municipality');
      expect(one.body.tables).toEqual([{ id: table.id, name: `LKO ${table.prefix}` }]);
      const { scope: _a, tables: _b, ...figures } = one.body;
      const { scope: _c, tables: _d, ...tableFigures } = tableOnly.body;
      expect(figures).toEqual(tableFigures);
      const two = await get('/municipalities/GM0344/statistics?quarter=2026-Q3', tokens.privacyOfficer).expect(200);
      expect(two.body.tables.map((x: { id: string }) => x.id).sort()).toEqual([second.id, third.id].sort());
      expect(two.body.cases.opened).toBe(LESS_THAN_TEN);
    });

    it('lets the table, its municipality and privacy officers read, and nobody else', async () => {
      const tablePath = `/tables/${table.id}/statistics?quarter=2026-Q3`;
      const expected = { chair: 200, member: 200, municipality: 200, privacyOfficer: 200, otherMunicipality: 404, outsider: 404, admin: 404, partner: 403 };
      const observed = Object.fromEntries(await Promise.all(Object.keys(expected).map(async (k) => [k, (await get(tablePath, tokens[k as keyof typeof tokens])).status])));
      expect(observed).toEqual(expected);
      const municipal = { municipality: 200, privacyOfficer: 200, otherMunicipality: 403, chair: 403, member: 403, outsider: 403, admin: 403, partner: 403 };
      const seen = Object.fromEntries(await Promise.all(Object.keys(municipal).map(async (k) => [k, (await get('/municipalities/GM0243/statistics', tokens[k as keyof typeof tokens])).status])));
      expect(seen).toEqual(municipal);
      // Another municipality reads its own.
      await get('/municipalities/GM0363/statistics', tokens.otherMunicipality).expect(200);
      expect((await get('/municipalities/GM9999/statistics', tokens.privacyOfficer).expect(404)).body.code).toBe('not_found');
      expect((await get('/municipalities/Harderwijk/statistics', tokens.privacyOfficer).expect(400)).body.invalidParams[0].name).toBe('municipalityCode');
      expect((await get('/tables/00000000-0000-4000-8000-000000000000/statistics', tokens.privacyOfficer).expect(404)).body.code).toBe('not_found');
    });

    it('writes an audit entry per table with purpose statistics, and no processing-log entry', async () => {
      const traceId = `stats-${randomBytes(6).toString('hex')}`;
      await get('/municipalities/GM0344/statistics?quarter=2026-Q3', tokens.privacyOfficer, { 'X-Request-Id': traceId }).expect(200);
      const audit = await q(`SELECT action, result, purpose, table_id, subject_count, categories, legal_basis, role FROM audit_log WHERE trace_id = $1 ORDER BY table_id`, [traceId]);
      expect(audit.map((a: { table_id: string }) => a.table_id).sort()).toEqual([second.id, third.id].sort());
      for (const a of audit) {
        expect(a).toMatchObject({ action: 'municipality_statistics.read', result: 'allowed', purpose: 'statistics', subject_count: 0, role: 'privacy_officer' });
        expect(a.categories).toEqual(expect.arrayContaining(['incidents', 'criminal', 'measures']));
        expect(a.legal_basis).toMatch(/art\. 89 AVG/);
      }
      expect(await q(`SELECT count(*)::int AS n FROM processing_log WHERE trace_id = $1`, [traceId])).toEqual([{ n: 0 }]);

      const tableTrace = `stats-${randomBytes(6).toString('hex')}`;
      await get(`/tables/${table.id}/statistics`, tokens.member, { 'X-Request-Id': tableTrace }).expect(200);
      expect(await q(`SELECT action, purpose, table_id, role FROM audit_log WHERE trace_id = $1`, [tableTrace])).toEqual([
        { action: 'statistics.read', purpose: 'statistics', table_id: table.id, role: 'member' },
      ]);

      // A refusal is audited too, and says nothing of the table's figures.
      const refusedTrace = `stats-${randomBytes(6).toString('hex')}`;
      await get(`/tables/${table.id}/statistics`, tokens.otherMunicipality, { 'X-Request-Id': refusedTrace }).expect(404);
      expect(await q(`SELECT action, result, purpose FROM audit_log WHERE trace_id = $1`, [refusedTrace])).toEqual([{ action: 'statistics.read', result: 'denied', purpose: null }]);
    });
  });
});
