import type { Response } from 'supertest';
import { GlobalRole } from '../src/auth/permissions';
import { pseudonymise } from '../src/sharing/pseudonym';
import { givenOrganisation, givenUser, randomVNumber } from './support/factories';
import { buildFullFixture, dateIn, FullFixture, probe } from './support/full-fixture';
import { pdfText } from './support/pdf-text';
import { bearer, login, startTestApp, TestApp } from './support/test-app';
import { sealAndVerifyLogs } from './support/logs';

/**
 * Data-subject requests (issue 10 item 1, DOMAIN.md section 7) on the full fixture: its main person has a case
 * that moved from another table (transfer) with every kind of record on it, and here a second, closed case at
 * that other table. Other people (the list's, fresh ones) are there to prove the export holds nothing of them.
 */

const API = '/api/v1';
type Json = Record<string, unknown>;

const binary = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

/** Every value of a key named `id` anywhere in the tree, as text. */
function idsIn(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((v) => idsIn(v, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'id' && (typeof v === 'string' || typeof v === 'number')) out.add(String(v));
      else idsIn(v, out);
    }
  }
  return out;
}

/** Tables whose rows about a case are not part of what is held on the person, with the reason. */
const NOT_EXPORTED: Record<string, string> = {};

describe('data-subject requests: access, rectification, restriction, erasure', () => {
  let t: TestApp;
  let f: FullFixture;
  let officer: string;
  let officerId: string;
  let secondCaseId: string;

  const http = () => t.http();
  const po = () => bearer(officer);
  const post = (path: string, body: object) => http().post(`${API}${path}`).set(po()).send(body);
  const q = <T = Json>(sql: string, params: unknown[] = []): Promise<T[]> => t.dataSource.query(sql, params);

  /**
   * Every row linked to the cases by a foreign key, directly (incidents, actions, …) or through one such row
   * (action reviews, escalation history, e-mails of notifications), read from the catalogue so that a table
   * added later is covered: [table, id].
   */
  async function linkedRows(caseIds: string[]): Promise<[string, string][]> {
    const fks = await q<{ tbl: string; col: string; ref: string }>(
      `SELECT c.conrelid::regclass::text AS tbl, a.attname AS col, c.confrelid::regclass::text AS ref
         FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND c.connamespace = 'public'::regnamespace`,
    );
    const found: [string, string][] = caseIds.map((id) => ['case_file', id]);
    const level1 = new Map<string, string[]>();
    for (const fk of fks.filter((x) => x.ref === 'case_file' && x.tbl !== 'case_file')) {
      const rows = await q<{ id: string }>(`SELECT id::text FROM ${fk.tbl} WHERE ${fk.col} = ANY($1::uuid[])`, [caseIds]);
      level1.set(fk.tbl, [...(level1.get(fk.tbl) ?? []), ...rows.map((r) => r.id)]);
    }
    for (const [tbl, ids] of level1) found.push(...ids.map((id) => [tbl, id] as [string, string]));
    for (const fk of fks.filter((x) => level1.has(x.ref) && x.tbl !== 'case_file')) {
      const ids = level1.get(fk.ref)!;
      const rows = await q<{ id: string }>(`SELECT id::text FROM ${fk.tbl} WHERE ${fk.col}::text = ANY($1::text[])`, [ids]);
      found.push(...rows.map((r) => [fk.tbl, r.id] as [string, string]));
    }
    return found.filter(([tbl]) => !(tbl in NOT_EXPORTED));
  }

  const casesOf = async (vNumber: string) =>
    (await q<{ id: string }>(`SELECT c.id FROM case_file c JOIN subject s ON s.id = c.subject_id WHERE s.v_number = $1`, [vNumber])).map((r) => r.id);

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    f = await buildFullFixture(t);
    const administration = await givenOrganisation(t.dataSource, 'ADMINISTRATION');
    const user = await givenUser(t.dataSource, administration, [GlobalRole.PrivacyOfficer]);
    officerId = user.id;
    officer = (await login(t, user.email)).accessToken;
    // A second case of the person, at the table the first one came from, closed since, with an incident of its own.
    const [subject] = await q<{ id: string }>(`SELECT subject_id AS id FROM case_file WHERE id = $1`, [f.caseId]);
    const [second] = await q<{ id: string }>(
      `INSERT INTO case_file (table_id, subject_id, reference, status, closed_at, care_notes) VALUES ($1, $2, 'SECOND-2025-0001', 'closed', now() - interval '30 days', $3) RETURNING id`,
      [f.otherTable.id, subject.id, probe('care', 'second-case')],
    );
    secondCaseId = second.id;
    await q(
      `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, description) VALUES ($1, $2, 'theft', 'offence', 'serious', now() - interval '40 days', $3)`,
      [secondCaseId, f.otherTable.organisations.POLICE, probe('criminal', 'second-case-theft')],
    );
  }, 180_000);
  afterAll(() => t?.close());

  describe('access (art. 15)', () => {
    let exported: Json;

    it('exports every record held on the person, at both tables and from before the transfer, and nothing of anyone else', async () => {
      const res = await post('/privacy/access-requests', { vNumber: f.vNumber, reference: 'AVG-2026-0001', reason: 'Brief van betrokkene ontvangen.' }).expect(200);
      exported = res.body;
      expect(exported.found).toBe(true);
      const cases = exported.cases as Json[];
      expect(cases.map((c) => c.id).sort()).toEqual([f.caseId, secondCaseId].sort());
      expect(cases.map((c) => (c.table as Json).id).sort()).toEqual([f.table.id, f.otherTable.id].sort());
      // The case's history from before it moved: the transfer, and the status change and strategy of the first table.
      const main = cases.find((c) => c.id === f.caseId)!;
      expect(main.transfers).toEqual([expect.objectContaining({ fromTable: expect.objectContaining({ id: f.otherTable.id }), toTable: expect.objectContaining({ id: f.table.id }) })]);
      expect(JSON.stringify(main.strategies)).toContain(probe('deliberation', 'first-strategy'));

      const ids = idsIn(exported);
      const rows = await linkedRows(await casesOf(f.vNumber));
      expect(rows.length).toBeGreaterThan(40);
      expect(rows.filter(([, id]) => !ids.has(id)).map(([tbl, id]) => `${tbl} ${id}`)).toEqual([]);
      // Every value of the person's own fields.
      const text = JSON.stringify(exported);
      for (const value of [f.vNumber, probe('identity', 'family'), probe('care', 'notes'), probe('criminal', 'description-after'), probe('care', 'second-case')]) {
        expect(text).toContain(value);
      }

      // Nothing of anyone else: the list's person, the fixture's other people, a fresh person at the same table.
      const others = (await q<{ v_number: string }>(`SELECT v_number FROM subject WHERE v_number <> $1 AND erased_at IS NULL`, [f.vNumber])).map((r) => r.v_number);
      expect(others.length).toBeGreaterThan(1);
      for (const other of others) {
        expect(text).not.toContain(other);
        const theirs = await linkedRows(await casesOf(other));
        expect(theirs.filter(([, id]) => ids.has(id)).map(([tbl, id]) => `${tbl} ${id}`)).toEqual([]);
      }
      expect(text).not.toContain('list-family');
    });

    it('lists from the processing log which organisations processed the data, when, and under which processing activity', async () => {
      const processing = exported.processing as Json[];
      expect(processing.length).toBeGreaterThan(10);
      const organisations = new Set(processing.map((p) => (p.organisation as Json | null)?.id));
      for (const type of ['COA', 'POLICE', 'MUNICIPALITY', 'IND', 'DTV'] as const) expect(organisations).toContain(f.table.organisations[type]);
      expect(organisations).toContain(f.otherTable.organisations.COA);
      const read = processing.find((p) => p.operation === 'case.read' || p.operation === 'case.update')!;
      expect(read).toMatchObject({ startedAt: expect.any(String), processingActivity: { id: expect.any(String), name: expect.any(String), purpose: expect.any(String), category: expect.any(String) } });
      const [{ n }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM processing_log WHERE data_subject_id = $1`, [pseudonymise(t.config.PSEUDONYM_KEY, f.vNumber)]);
      // This request's own entry was written in its transaction, after the export read the log.
      expect(processing.length).toBe(n - 1);
    });

    it('records the request without the V-number and writes it to both logs', async () => {
      const request = exported.request as Json;
      const [row] = await q(`SELECT * FROM data_subject_request WHERE id = $1`, [request.id]);
      expect(row).toMatchObject({ kind: 'access', reference: 'AVG-2026-0001', handled_by_user_id: officerId });
      expect(JSON.stringify(row)).not.toContain(f.vNumber);
      const [audit] = await q(`SELECT * FROM audit_log WHERE operation_id = $1`, [request.operationId]);
      expect(audit).toMatchObject({ actor_id: officerId, action: 'data_subject_request.access', result: 'allowed', legal_basis: expect.stringContaining('Art. 15') });
      expect(audit.purpose).toBe('data_subject_request');
      expect(await q(`SELECT detail FROM audit_log_detail WHERE operation_id = $1`, [request.operationId])).toEqual([{ detail: { requestReference: 'AVG-2026-0001' } }]);
      const processing = await q(`SELECT data_subject_id FROM processing_log WHERE operation_id = $1`, [request.operationId]);
      expect(processing).toEqual([{ data_subject_id: pseudonymise(t.config.PSEUDONYM_KEY, f.vNumber) }]);
    });

    it('renders a readable Dutch PDF: labels, not codes', async () => {
      const res = await http()
        .post(`${API}/privacy/access-requests`)
        .set(po())
        .set('Accept', 'application/pdf')
        .buffer(true)
        .parse(binary)
        .send({ vNumber: f.vNumber, reference: 'AVG-2026-0002', reason: 'Afschrift als PDF gevraagd.' })
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/pdf/);
      expect(res.headers['content-disposition']).toBe('attachment; filename="inzage-AVG-2026-0002.pdf"');
      const text = pdfText(res.body as Buffer).text;
      const flat = text.replace(/\s+/g, '');
      for (const expected of ['Inzage in uw persoonsgegevens', `Casus ${f.caseReference}`, 'geweld', 'overtreding huisregels', 'Gebiedsverbod', 'Wie uw gegevens verwerkte', 'Casus geopend', 'Strategie vastgelegd', 'Afspraak automatisch aangemaakt']) {
        expect(flat).toContain(expected.replace(/\s+/g, ''));
      }
      expect(flat).toContain(probe('identity', 'family'));
      for (const code of ['house_rule_breach', 'area_ban', 'staff_public_duty', 'case.create', 'create_by_chain_automation', 'departure_period_end']) {
        // The fixture's free texts (PROBE-…) name codes themselves; what the document prints of its own may not.
        expect(flat.replace(/PROBE-[\w-]+/g, '')).not.toContain(code);
      }
    });

    it('answers a V-number nobody holds with found: false, and records that request too', async () => {
      const vNumber = randomVNumber();
      const res = await post('/privacy/access-requests', { vNumber, reference: 'AVG-2026-0003', reason: 'Onbekend nummer.' }).expect(200);
      expect(res.body).toMatchObject({ found: false, subject: null, cases: [], processing: [] });
      expect((await q(`SELECT subject_id FROM data_subject_request WHERE id = $1`, [res.body.request.id]))[0]).toEqual({ subject_id: null });
    });
  });

  describe('bad input and who may ask', () => {
    it('refuses bad input with a 400 naming the field, and records nothing', async () => {
      const [{ n: before }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM data_subject_request`);
      const cases: [string, object, string][] = [
        ['/privacy/access-requests', { vNumber: '123', reference: 'AVG-1', reason: 'x' }, 'vNumber'],
        ['/privacy/access-requests', { vNumber: f.vNumber, reason: 'x' }, 'reference'],
        ['/privacy/access-requests', { vNumber: f.vNumber, reference: 'Jan Jansen', reason: 'x' }, 'reference'],
        ['/privacy/restrictions', { vNumber: f.vNumber, reference: 'AVG-1', reason: `Nummer ${f.vNumber}` }, 'reason'],
        ['/privacy/erasures', { vNumber: f.vNumber, reference: 'AVG-1', reason: '' }, 'reason'],
        ['/privacy/rectifications', { vNumber: f.vNumber, reference: 'AVG-1', reason: 'x', dateOfBirth: '2999-01-01' }, 'dateOfBirth'],
        ['/privacy/rectifications', { vNumber: f.vNumber, reference: 'AVG-1', reason: 'x', nationality: 'ZZZ' }, 'nationality'],
        ['/privacy/rectifications', { vNumber: f.vNumber, reference: 'AVG-1', reason: 'x' }, 'body'],
        ['/privacy/erasures', { vNumber: f.vNumber, reference: 'AVG-1', reason: 'x', extra: true }, 'extra'],
        ['/privacy/legal-holds', { caseId: 'nope', reason: 'x', endsOn: dateIn(10) }, 'caseId'],
        ['/privacy/legal-holds', { caseId: f.caseId, reason: 'x', endsOn: dateIn(-1) }, 'endsOn'],
        ['/privacy/legal-holds', { caseId: f.caseId, reason: 'x', endsOn: '2026-02-30' }, 'endsOn'],
      ];
      for (const [path, body, field] of cases) {
        const res = await post(path, body);
        expect({ path, field, status: res.status, names: res.body.invalidParams?.map((p: Json) => p.name) }).toEqual({ path, field, status: 400, names: expect.arrayContaining([field]) });
      }
      const [{ n: after }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM data_subject_request`);
      expect(after).toBe(before);
      expect((await q(`SELECT 1 FROM legal_hold WHERE case_id = $1`, [f.caseId])).length).toBe(0);
    });

    it('lets only the privacy officer handle requests', async () => {
      const body = { vNumber: f.vNumber, reference: 'AVG-9', reason: 'x' };
      await http().post(`${API}/privacy/access-requests`).set(bearer(f.viewers.COA.chair.token)).send(body).expect(403);
      await http().post(`${API}/privacy/erasures`).set(bearer(f.viewers.POLICE.member.token)).send(body).expect(403);
      await http().post(`${API}/privacy/access-requests`).send(body).expect(401);
      await post('/privacy/restrictions', { ...body, vNumber: randomVNumber() }).expect(404);
    });
  });

  describe('rectification (art. 16)', () => {
    it("rectifies the person's identity for every table at once, recording the fields by name only", async () => {
      const res = await post('/privacy/rectifications', { vNumber: f.vNumber, reference: 'AVG-2026-0010', reason: 'Naam volgens paspoort.', familyName: 'PROBE-identity-rectified', dateOfBirth: '1971-03-02' }).expect(201);
      expect(res.body).toMatchObject({ kind: 'rectification', reference: 'AVG-2026-0010', outcome: { fields: ['familyName', 'dateOfBirth'] } });
      expect(JSON.stringify(res.body)).not.toContain('rectified');
      const seen = await http().get(`${API}/cases/${f.caseId}`).set(bearer(f.viewers.POLICE.member.token)).expect(200);
      expect(seen.body.subject).toMatchObject({ familyName: 'PROBE-identity-rectified', dateOfBirth: '1971-03-02' });
      const [audit] = await q(`SELECT action, purpose, legal_basis FROM audit_log WHERE operation_id = $1`, [res.body.operationId]);
      expect(audit).toEqual({ action: 'data_subject_request.rectification', purpose: 'data_subject_request', legal_basis: expect.stringContaining('Art. 16') });
      expect(await q(`SELECT detail FROM audit_log_detail WHERE operation_id = $1`, [res.body.operationId])).toEqual([{ detail: { requestReference: 'AVG-2026-0010' } }]);
    });

    it('through the normal update path, records the request reference in the audit log', async () => {
      await http().patch(`${API}/cases/${f.caseId}`).set(bearer(f.viewers.COA.member.token)).send({ requestReference: 'AVG-2026-0011' }).expect(400);
      await http().patch(`${API}/cases/${f.caseId}`).set(bearer(f.viewers.COA.member.token)).send({ givenNames: 'Rectified', requestReference: 'Jan Jansen' }).expect(400);
      await http().patch(`${API}/cases/${f.caseId}`).set(bearer(f.viewers.COA.member.token)).send({ givenNames: 'PROBE-identity-given', requestReference: 'AVG-2026-0011' }).expect(200);
      const rows = await q(
        `SELECT a.purpose, d.detail FROM audit_log a JOIN audit_log_detail d ON d.operation_id = a.operation_id
          WHERE a.action = 'case.update' AND d.detail->>'requestReference' = 'AVG-2026-0011'`,
      );
      expect(rows).toEqual([{ purpose: 'data_subject_request', detail: { requestReference: 'AVG-2026-0011' } }]);
    });
  });

  describe('restriction (art. 18) and its lifting', () => {
    it('restricts once, lifts once, and says so when asked twice', async () => {
      const vNumber = (await q<{ v_number: string }>(`SELECT s.v_number FROM case_file c JOIN subject s ON s.id = c.subject_id WHERE c.id = $1`, [f.listCaseId]))[0].v_number;
      const body = { vNumber, reference: 'AVG-2026-0020', reason: 'Juistheid betwist.' };
      const restricted = await post('/privacy/restrictions', body).expect(201);
      expect(restricted.body).toMatchObject({ kind: 'restriction', restrictedAt: expect.any(String) });
      expect((await post('/privacy/restrictions', body).expect(409)).body.code).toBe('already_restricted');
      const read = await http().get(`${API}/cases/${f.listCaseId}`).set(bearer(f.viewers.POLICE.member.token)).expect(409);
      expect(read.body).toEqual({ type: expect.any(String), title: 'Conflict', status: 409, code: 'subject_restricted', detail: expect.any(String), instance: expect.any(String) });
      const lifted = await post('/privacy/restrictions/_lift', { ...body, reference: 'AVG-2026-0021' }).expect(200);
      expect(lifted.body).toMatchObject({ kind: 'lifting', restrictedAt: null });
      expect((await post('/privacy/restrictions/_lift', body).expect(409)).body.code).toBe('not_restricted');
      await http().get(`${API}/cases/${f.listCaseId}`).set(bearer(f.viewers.POLICE.member.token)).expect(200);
      const kinds = (await q<{ kind: string }>(`SELECT kind FROM data_subject_request WHERE reference IN ('AVG-2026-0020', 'AVG-2026-0021') ORDER BY handled_at`)).map((r) => r.kind);
      expect(kinds).toEqual(['restriction', 'lifting']);
    });
  });

  describe('legal holds and erasure (art. 17)', () => {
    let holdId: string;
    let counts: Json;
    const aggregates = async (caseIds: string[]) => ({
      incidents: await q(`SELECT case_id, kind, classification, severity, occurred_at FROM incident WHERE case_id = ANY($1) ORDER BY id`, [caseIds]),
      measures: await q(`SELECT case_id, type, status, starts_at, ends_at FROM measure WHERE case_id = ANY($1) ORDER BY id`, [caseIds]),
      actions: await q(`SELECT case_id, status, due_date, completed_at FROM action WHERE case_id = ANY($1) ORDER BY id`, [caseIds]),
      escalations: await q(`SELECT case_id, track, status FROM escalation WHERE case_id = ANY($1) ORDER BY id`, [caseIds]),
      history: await q(`SELECT case_id, to_status, changed_at FROM case_status_change WHERE case_id = ANY($1) AND reason IS DISTINCT FROM 'Gesloten bij wissing van de persoonsgegevens (AVG)' ORDER BY id`, [caseIds]),
      logs: await q(`SELECT (SELECT count(*)::int FROM processing_log) AS processing, (SELECT count(*)::int FROM audit_log) AS audit`),
    });

    it('sets a legal hold (once), which stops erasure with a 409 naming the case, changing nothing', async () => {
      const res = await post('/privacy/legal-holds', { caseId: secondCaseId, reason: 'Procedure bij de rechtbank loopt.', endsOn: dateIn(90) }).expect(201);
      holdId = res.body.id;
      expect(res.body).toMatchObject({ caseId: secondCaseId, caseReference: 'SECOND-2025-0001', standing: true, liftedAt: null });
      expect((await post('/privacy/legal-holds', { caseId: secondCaseId, reason: 'Nog een', endsOn: dateIn(30) }).expect(409)).body.code).toBe('legal_hold_exists');
      await post('/privacy/legal-holds', { caseId: '00000000-0000-4000-8000-000000000000', reason: 'x', endsOn: dateIn(30) }).expect(404);
      const listed = await http().get(`${API}/privacy/legal-holds?caseId=${secondCaseId}&standing=true`).set(po()).expect(200);
      expect(listed.body.items.map((h: Json) => h.id)).toEqual([holdId]);

      counts = await aggregates(await casesOf(f.vNumber));
      const refused = await post('/privacy/erasures', { vNumber: f.vNumber, reference: 'AVG-2026-0030', reason: 'Verzoek tot wissing.' }).expect(409);
      expect(refused.body).toMatchObject({ code: 'legal_hold_stands', cases: [{ caseId: secondCaseId, reference: 'SECOND-2025-0001', endsOn: dateIn(90) }] });
      const [subject] = await q(`SELECT family_name, erased_at FROM subject WHERE v_number = $1`, [f.vNumber]);
      expect(subject).toEqual({ family_name: 'PROBE-identity-rectified', erased_at: null });
      expect((await q(`SELECT 1 FROM data_subject_request WHERE reference = 'AVG-2026-0030'`)).length).toBe(0);
    });

    it('refuses to erase a restricted person until the restriction is lifted', async () => {
      const { id, vNumber } = await (async () => {
        const [s] = await q<{ id: string; v_number: string }>(`INSERT INTO subject (v_number, family_name, restricted_at) VALUES ($1, 'Beperkt', now()) RETURNING id, v_number`, [randomVNumber()]);
        return { id: s.id, vNumber: s.v_number };
      })();
      expect((await post('/privacy/erasures', { vNumber, reference: 'AVG-2026-0031', reason: 'x' }).expect(409)).body.code).toBe('subject_restricted');
      expect((await q(`SELECT erased_at FROM subject WHERE id = $1`, [id]))[0].erased_at).toBeNull();
    });

    it('lifts the hold (once), then erases the person at once: identity, free text, criminal and care details gone; aggregates and logs stay', async () => {
      const lifted = await post(`/privacy/legal-holds/${holdId}/_lift`, { reason: 'Procedure afgerond.' }).expect(200);
      expect(lifted.body).toMatchObject({ standing: false, liftReason: 'Procedure afgerond.' });
      expect((await post(`/privacy/legal-holds/${holdId}/_lift`, { reason: 'Nog eens' }).expect(409)).body.code).toBe('legal_hold_lifted');

      const caseIds = await casesOf(f.vNumber);
      const res = await post('/privacy/erasures', { vNumber: f.vNumber, reference: 'AVG-2026-0032', reason: 'Verzoek tot wissing toegewezen.' }).expect(201);
      expect(res.body).toMatchObject({ kind: 'erasure', outcome: { cases: 2, casesClosed: 1, subjectErased: true, minutesRewritten: expect.any(Number) } });
      expect(res.body.outcome.incidentsScrubbed).toBeGreaterThanOrEqual(5);

      const [subject] = await q(`SELECT * FROM subject WHERE id = (SELECT subject_id FROM case_file WHERE id = $1)`, [f.caseId]);
      expect(subject).toMatchObject({ v_number: `erased:${subject.id}`, family_name: null, given_names: null, date_of_birth: null, nationality: null, reception_location: null, erased_at: expect.any(Date) });
      expect(await q(`SELECT description, place, external_reference FROM incident WHERE case_id = ANY($1) AND (description IS NOT NULL OR place IS NOT NULL OR external_reference IS NOT NULL)`, [caseIds])).toEqual([]);
      expect(await q(`SELECT id FROM case_file WHERE id = ANY($1) AND (care_notes IS NOT NULL OR erased_at IS NULL OR status <> 'closed')`, [caseIds])).toEqual([]);
      // Criminal measures lose their notes; the others (the table's own measures) keep theirs.
      const notes = await q<{ type: string; note: string | null }>(`SELECT type, note FROM measure WHERE case_id = ANY($1)`, [caseIds]);
      expect(notes.filter((x) => x.type === 'zsm_settlement').every((x) => x.note === null)).toBe(true);
      expect(notes.some((x) => x.type === 'area_ban' && x.note !== null)).toBe(true);

      // Aggregates: kinds, classifications, severities, dates, statuses, types, tracks survive as they were.
      const after = await aggregates(caseIds);
      expect({ ...after, logs: undefined }).toEqual({ ...counts, logs: undefined });
      const logs = after.logs as { processing: number; audit: number }[];
      expect(logs[0].processing).toBeGreaterThan((counts.logs as { processing: number }[])[0].processing);

      // The person is no longer found by V-number; their processing log is still held (under the hash) and shows the erasure.
      const again = await post('/privacy/access-requests', { vNumber: f.vNumber, reference: 'AVG-2026-0033', reason: 'Controle na wissing.' }).expect(200);
      expect(again.body).toMatchObject({ found: false, cases: [] });
      expect((again.body.processing as Json[]).map((p) => p.operation)).toContain('data_subject_request.erasure');
      await post('/privacy/erasures', { vNumber: f.vNumber, reference: 'AVG-2026-0034', reason: 'x' }).expect(404);
    });

    it('shows the erased person as erased in the case, lists and frozen minutes (JSON and PDF), and refuses writes to the case', async () => {
      const police = bearer(f.viewers.POLICE.member.token);
      const c = await http().get(`${API}/cases/${f.caseId}`).set(police).expect(200);
      expect(c.body.subject).toEqual({ erasedAt: expect.any(String) });
      expect(c.body).not.toHaveProperty('careNotes', expect.anything());
      const minutes = await http().get(`${API}/meetings/${f.meetings.closed}/minutes`).set(police).expect(200);
      const item = (minutes.body.items as Json[]).find((i) => (i.case as Json | undefined)?.id === f.caseId)!;
      expect((item.case as Json).subject).toEqual({ erasedAt: expect.any(String) });
      const mine = [probe('identity', 'family'), probe('identity', 'given'), 'PROBE-identity-rectified', f.vNumber];
      for (const gone of [...mine, probe('criminal', 'session-measure-zsm_settlement')]) expect(JSON.stringify(minutes.body)).not.toContain(gone);
      // The other person discussed at that meeting is shown as before.
      expect(JSON.stringify(minutes.body)).toContain(probe('identity', 'list-family'));
      const pdf = await http().get(`${API}/meetings/${f.meetings.closed}/minutes`).set(police).set('Accept', 'application/pdf').buffer(true).parse(binary).expect(200);
      const text = pdfText(pdf.body as Buffer).text;
      expect(text).toContain('betrokkene gewist');
      for (const gone of mine) expect(text.replace(/\s+/g, '')).not.toContain(gone);
      const write = await http().patch(`${API}/cases/${f.caseId}`).set(police).send({ riskLevel: 'low' }).expect(409);
      expect(write.body.code).toBe('case_erased');
      await http().post(`${API}/cases/${f.caseId}/status-changes`).set(police).send({ status: 'active' }).expect(409);
    });

    it('leaves both logs verifiable', async () => {
      expect(await sealAndVerifyLogs(t.app)).toEqual({ processing_log: expect.objectContaining({ intact: true }), audit_log: expect.objectContaining({ intact: true }) });
    });
  });
});
