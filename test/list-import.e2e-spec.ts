import { givenCase, givenMeeting, givenSubject, givenTable, GivenTable, givenTableUser, randomVNumber } from './support/factories';
import { bearer, login, startTestApp, TestApp, partnerToken } from './support/test-app';

const API = '/api/v1';
type Json = Record<string, any>;

describe('list imports', () => {
  let t: TestApp;
  let table: GivenTable;
  let other: GivenTable;
  let meetingId: string;
  let dtv: string;
  let admin: string;
  const v = { known: randomVNumber(), elsewhere: randomVNumber(), fresh: randomVNumber(), nominated: randomVNumber(), badDate: randomVNumber() };
  const caseIds: Record<string, string> = {};

  const sql = (text: string, params: unknown[] = []) => t.dataSource.query(text, params);
  const count = async (text: string, params: unknown[] = []) => Number((await sql(`SELECT count(*) AS n ${text}`, params))[0].n);
  const state = async () => ({
    cases: await count(`FROM case_file WHERE table_id = $1`, [table.id]),
    nominations: await count(`FROM nomination WHERE table_id = $1`, [table.id]),
    subjects: await count(`FROM subject`),
    imports: await count(`FROM list_import WHERE table_id = $1`, [table.id]),
  });
  const submit = (token: string, body: object, tableId = table.id) => t.http().post(`${API}/tables/${tableId}/lists`).set(bearer(token)).send(body);

  const clientToken = (scopes: string[], organisationId: string) => partnerToken(t, admin, organisationId, scopes);


  beforeAll(async () => {
    t = await startTestApp();
    table = await givenTable(t.dataSource);
    other = await givenTable(t.dataSource, { memberTypes: ['COA', 'DTV'] });
    meetingId = (await givenMeeting(t.dataSource, table)).id;
    dtv = (await login(t, (await givenTableUser(t.dataSource, table, 'DTV')).email)).accessToken;
    admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
    // Known with an open case here; known with a case at another table only; nominated by a member already.
    caseIds.known = (await givenCase(t.dataSource, table, { subjectId: (await givenSubject(t.dataSource, { vNumber: v.known })).id })).id;
    await givenCase(t.dataSource, other, { subjectId: (await givenSubject(t.dataSource, { vNumber: v.elsewhere, familyName: 'Bestaand' })).id });
    caseIds.nominated = (await givenCase(t.dataSource, table, { subjectId: (await givenSubject(t.dataSource, { vNumber: v.nominated })).id })).id;
    await sql(`INSERT INTO nomination (table_id, meeting_id, case_id, reason_code, source, organisation_id) VALUES ($1, $2, $3, 'dtv_caseload', 'list', $4)`, [
      table.id, meetingId, caseIds.nominated, table.organisations.DTV,
    ]);
  });
  afterAll(() => t.close());

  const list = () => ({
    kind: 'dtv_caseload',
    lines: [
      { vNumber: v.known, note: 'Vertrekgesprek gepland' },
      { vNumber: '12345' },
      { vNumber: v.elsewhere, familyName: 'Anders' },
      { vNumber: v.fresh, familyName: 'Nieuw', givenNames: 'N.', dateOfBirth: '2001-05-06', nationality: 'ERI' },
      { vNumber: v.badDate, dateOfBirth: '2026-02-30', nationality: 'eri' },
      { vNumber: v.nominated },
      { vNumber: v.known },
    ],
  });
  let first: Json;

  it('imports the valid lines, reports every line, and fails none of them for another line', async () => {
    const before = await state();
    const body = list();
    const res = await submit(dtv, body).expect(201);
    first = res.body;
    expect(res.body).toMatchObject({ kind: 'dtv_caseload', meetingId, repeated: false, counts: { lines: 7, nominated: 3, casesOpened: 2, alreadyNominated: 2, invalid: 2 } });
    expect(res.body.lines.map((l: Json) => [l.line, l.outcome])).toEqual([
      [1, 'nominated'],
      [2, 'invalid'],
      [3, 'case_opened_and_nominated'],
      [4, 'case_opened_and_nominated'],
      [5, 'invalid'],
      [6, 'already_nominated'],
      [7, 'already_nominated'],
    ]);
    expect(res.body.lines[0]).toMatchObject({ caseId: caseIds.known });
    expect(res.body.lines[6].caseId).toBe(caseIds.known);
    expect(res.body.lines[1].reason).toBe('vNumber must be exactly 10 digits');
    expect(res.body.lines[4].reason).toMatch(/dateOfBirth.*; nationality/);
    // The report is stored: it names lines and cases, never the people.
    for (const line of body.lines) expect(JSON.stringify(res.body)).not.toContain(line.vNumber);
    expect(JSON.stringify(res.body)).not.toMatch(/Nieuw|Anders/);

    expect(await state()).toEqual({ ...before, cases: before.cases + 2, nominations: before.nominations + 3, subjects: before.subjects + 1, imports: before.imports + 1 });
    const [opened] = await sql(
      `SELECT c.status, c.reference, s.family_name, s.date_of_birth::text AS dob, s.nationality, n.reason_code, n.source, n.meeting_id
         FROM case_file c JOIN subject s ON s.id = c.subject_id JOIN nomination n ON n.case_id = c.id WHERE s.v_number = $1 AND c.table_id = $2`,
      [v.fresh, table.id],
    );
    expect(opened).toEqual({
      status: 'intake', reference: res.body.lines[3].caseReference, family_name: 'Nieuw', dob: '2001-05-06', nationality: 'ERI',
      reason_code: 'dtv_caseload', source: 'list', meeting_id: meetingId,
    });
    expect(opened.reference).toMatch(new RegExp(`^${table.prefix}-\\d{4}-\\d{4}$`));
    // A known person keeps the identity on record; the list's name is not taken over.
    expect((await sql(`SELECT family_name FROM subject WHERE v_number = $1`, [v.elsewhere]))[0].family_name).toBe('Bestaand');
    const [note] = await sql(`SELECT reason_text FROM nomination WHERE case_id = $1 AND source = 'list'`, [caseIds.known]);
    expect(note.reason_text).toBe('Vertrekgesprek gepland');
  });

  it('logs one operation with one processing entry per person touched, and raises list.imported', async () => {
    const [audit] = await sql(`SELECT operation_id, subject_count, categories FROM audit_log WHERE action = 'list.import' AND table_id = $1`, [table.id]);
    expect(audit.subject_count).toBe(4);
    expect(audit.categories.sort()).toEqual(['deliberation', 'identity']);
    expect(await count(`FROM processing_log WHERE operation_id = $1`, [audit.operation_id])).toBe(4);
    const [event] = await sql(`SELECT payload FROM domain_event WHERE type = 'list.imported' AND aggregate_id = $1`, [first.importId]);
    expect(event.payload).toEqual({ kind: 'dtv_caseload', meetingId, nominated: 3, casesOpened: 2 });
  });

  it('answers the same list again, in another order, with the stored report, 200 and repeated, changing nothing', async () => {
    const before = await state();
    const again = list();
    again.lines.reverse();
    const res = await submit(dtv, again).expect(200);
    expect(res.body).toEqual({ ...first, repeated: true });
    expect(await state()).toEqual(before);
  });

  it('refuses the whole list for invalid structure (400) and a table the caller does not sit at (404)', async () => {
    const before = await state();
    const bad = await submit(dtv, { kind: 'guesswork', lines: [{ vNumber: v.known, shoeSize: 44 }], extra: true }).expect(400);
    expect(bad.body.invalidParams.map((p: Json) => p.name).sort()).toEqual(['extra', 'kind', 'lines.0.shoeSize']);
    await submit(dtv, { kind: 'top_x', lines: [] }).expect(400);
    await submit(dtv, { kind: 'top_x', lines: ['1234567890'] }).expect(400);
    await submit(dtv, { kind: 'top_x', lines: Array.from({ length: 1001 }, () => ({ vNumber: v.known })) }).expect(400);
    await submit(dtv, { kind: 'top_x', lines: [{ vNumber: v.known }] }, other.id).expect(404);
    expect(await state()).toEqual(before);
  });

  it('accepts a list from a partner system with lists:write, refuses one without it (403) or of an organisation not at the table (404)', async () => {
    const withScope = await clientToken(['lists:write'], table.organisations.COA!);
    const res = await submit(withScope, { kind: 'coa_residents', lines: [{ vNumber: v.known }, { vNumber: randomVNumber() }] }).expect(201);
    expect(res.body.counts).toMatchObject({ nominated: 1, casesOpened: 1, alreadyNominated: 1 });
    const [row] = await sql(`SELECT organisation_id, submitted_by_user_id, submitted_by_client_id FROM list_import WHERE id = $1`, [res.body.importId]);
    expect(row).toMatchObject({ organisation_id: table.organisations.COA, submitted_by_user_id: null });
    expect(row.submitted_by_client_id).toBeTruthy();

    const before = await state();
    const noScope = await clientToken(['incidents:write'], table.organisations.COA!);
    expect((await submit(noScope, { kind: 'coa_residents', lines: [{ vNumber: randomVNumber() }] }).expect(403)).body.code).toBe('permission_denied');
    const outsider = await clientToken(['lists:write'], other.organisations.COA!);
    await submit(outsider, { kind: 'coa_residents', lines: [{ vNumber: randomVNumber() }] }).expect(404);
    expect(await state()).toEqual(before);
  });

  it('refuses a list when the table has no planned meeting to come (409) and imports nothing', async () => {
    const quiet = await givenTable(t.dataSource, { memberTypes: ['DTV'] });
    const token = (await login(t, (await givenTableUser(t.dataSource, quiet, 'DTV')).email)).accessToken;
    const res = await submit(token, { kind: 'dtv_caseload', lines: [{ vNumber: randomVNumber() }] }, quiet.id).expect(409);
    expect(res.body.code).toBe('no_planned_meeting');
    expect(await count(`FROM case_file WHERE table_id = $1`, [quiet.id])).toBe(0);
  });
});
