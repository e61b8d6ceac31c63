import type { DataSource } from 'typeorm';
import { givenCase, givenMembership, givenSubject, givenTable, GivenTable, givenTableUser, randomVNumber } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

const API = '/api/v1';
const amsterdamYear = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric' }).format(new Date());

/** Counts every statement the app sends to PostgreSQL, at the pg client every pool connection is an instance of. */
function countStatements(ds: DataSource) {
  const proto = (ds.driver as unknown as { postgres: { Client: { prototype: { query: (...a: unknown[]) => unknown } } } }).postgres.Client.prototype;
  const original = proto.query;
  const statements: string[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    statements.push(typeof q === 'string' ? q : ((q as { text?: string })?.text ?? String(q)));
    return original.apply(this, args);
  };
  return { statements, restore: () => void (proto.query = original) };
}

describe('cases', () => {
  let t: TestApp;
  let a: GivenTable;
  let b: GivenTable;
  const tokens: Record<string, string> = {};
  const as = (who: string) => bearer(tokens[who]);
  const ids: Record<string, string> = {};

  async function userToken(name: string, table: GivenTable, type: Parameters<typeof givenTableUser>[2], role: 'chair' | 'member' = 'member') {
    const user = await givenTableUser(t.dataSource, table, type, role);
    ids[name] = user.id;
    tokens[name] = (await login(t, user.email)).accessToken;
  }
  const count = async (sql: string, params: unknown[] = []) => Number((await t.dataSource.query(sql, params))[0].n);
  const openCase = (who: string, tableId: string, body: Record<string, unknown>) => t.http().post(`${API}/tables/${tableId}/cases`).set(as(who)).send(body);

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    a = await givenTable(t.dataSource);
    b = await givenTable(t.dataSource);
    await userToken('policeChairA', a, 'POLICE', 'chair');
    await userToken('policeA', a, 'POLICE');
    await userToken('coaA', a, 'COA');
    await userToken('municipalityA', a, 'MUNICIPALITY');
    await userToken('coaB', b, 'COA');
    await userToken('policeB', b, 'POLICE');
  });
  afterAll(() => t.close());

  describe('opening a case', () => {
    it('opens an intake case with a reference per table and year, reuses the person across tables, and refuses a second open case', async () => {
      const vNumber = randomVNumber();
      const first = await openCase('policeA', a.id, { vNumber, familyName: 'Testpersoon', nationality: 'ERI', riskLevel: 'high', strategy: { kind: 'nuisance', text: 'Gebiedsverbod overwegen' } }).expect(201);
      expect(first.body).toMatchObject({ status: 'intake', riskLevel: 'high', subject: { vNumber, familyName: 'Testpersoon', nationality: 'ERI' } });
      expect(first.body.reference).toMatch(new RegExp(`^${a.prefix}-${amsterdamYear()}-\\d{4}$`));
      expect(first.body.statusHistory).toEqual([expect.objectContaining({ fromStatus: null, toStatus: 'intake' })]);
      expect(first.body.currentStrategy).toMatchObject({ revision: 1, kind: 'nuisance' });

      const second = await openCase('policeA', a.id, { vNumber: randomVNumber() }).expect(201);
      const n = (ref: string) => Number(ref.split('-')[2]);
      expect(n(second.body.reference)).toBe(n(first.body.reference) + 1);

      const elsewhere = await openCase('coaB', b.id, { vNumber }).expect(201);
      expect(elsewhere.body.reference).toMatch(new RegExp(`^${b.prefix}-`));
      expect(elsewhere.body.subject.familyName).toBe('Testpersoon');
      expect(await count(`SELECT count(*) AS n FROM subject WHERE v_number = $1`, [vNumber])).toBe(1);
      const subjects = await t.dataSource.query(`SELECT DISTINCT subject_id FROM case_file WHERE id = ANY($1)`, [[first.body.id, elsewhere.body.id]]);
      expect(subjects).toHaveLength(1);

      const before = await count(`SELECT count(*) AS n FROM case_file`);
      const dup = await openCase('coaA', a.id, { vNumber }).expect(409);
      expect(dup.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(dup.body).toMatchObject({ code: 'open_case_exists', caseId: first.body.id });
      expect(JSON.stringify(dup.body)).not.toContain(vNumber);
      expect(await count(`SELECT count(*) AS n FROM case_file`)).toBe(before);
    });

    it('numbers concurrent cases and strategy revisions without gaps or duplicates', async () => {
      const table = await givenTable(t.dataSource);
      await userToken('coaD', table, 'COA');
      const opened = await Promise.all([1, 2, 3, 4].map(() => openCase('coaD', table.id, { vNumber: randomVNumber() })));
      expect(opened.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      expect(opened.map((r) => Number(r.body.reference.split('-')[2])).sort()).toEqual([1, 2, 3, 4]);
      const caseId = opened[0].body.id;
      const revisions = await Promise.all(
        [1, 2, 3, 4].map((i) => t.http().post(`${API}/cases/${caseId}/strategies`).set(as('coaD')).send({ kind: 'other', text: `voorstel ${i}` })),
      );
      expect(revisions.map((r) => r.body.revision).sort()).toEqual([1, 2, 3, 4]);
    });

    it.each([['12345'], ['12345678901'], ['12345abcde'], [1234567890]])('rejects the V-number %p with a 400 naming vNumber and writes nothing', async (vNumber) => {
      const before = [await count(`SELECT count(*) AS n FROM subject`), await count(`SELECT count(*) AS n FROM case_file`)];
      const res = await openCase('policeA', a.id, { vNumber, familyName: 'Nergens' }).expect(400);
      expect(res.body).toMatchObject({ code: 'invalid_input' });
      expect(res.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['vNumber']);
      expect([await count(`SELECT count(*) AS n FROM subject`), await count(`SELECT count(*) AS n FROM case_file`)]).toEqual(before);
    });

    it('rejects a date of birth in the future, an unknown nationality and an unknown field', async () => {
      const res = await openCase('policeA', a.id, { vNumber: randomVNumber(), dateOfBirth: '2999-01-01', nationality: 'QQQ', religion: 'x' }).expect(400);
      expect(res.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['dateOfBirth', 'nationality', 'religion']);
    });

    it('refuses with 403 a field of a category the caller is not granted, and writes nothing', async () => {
      const vNumber = randomVNumber();
      const res = await openCase('municipalityA', a.id, { vNumber, careNotes: 'kwetsbaar' }).expect(403);
      expect(res.body).toMatchObject({ code: 'category_not_granted', categories: ['care'] });
      expect(await count(`SELECT count(*) AS n FROM subject WHERE v_number = $1`, [vNumber])).toBe(0);
    });

    it('answers 404 to a caller who is not a member of the table', async () => {
      await openCase('coaB', a.id, { vNumber: randomVNumber() }).expect(404);
    });

    it('refuses a coordinator organisation that does not sit at the table', async () => {
      const res = await openCase('policeA', a.id, { vNumber: randomVNumber(), coordinatorOrganisationId: b.organisations.COA }).expect(400);
      expect(res.body.invalidParams).toEqual([expect.objectContaining({ name: 'coordinatorOrganisationId' })]);
      await openCase('policeA', a.id, { vNumber: randomVNumber(), coordinatorOrganisationId: a.organisations.COA }).expect(201);
    });
  });

  describe('status', () => {
    const history = async (id: string) => t.dataSource.query(`SELECT to_status FROM case_status_change WHERE case_id = $1 ORDER BY changed_at, id`, [id]);
    const move = (id: string, status: string) => t.http().post(`${API}/cases/${id}/status-changes`).set(as('policeA')).send({ status, reason: 'besproken' });

    it('refuses illegal transitions with 409 naming both statuses, changing nothing; legal ones work', async () => {
      const { body: c } = await openCase('policeA', a.id, { vNumber: randomVNumber() }).expect(201);
      const illegal = await move(c.id, 'monitoring').expect(409);
      expect(illegal.body).toMatchObject({ code: 'illegal_transition', fromStatus: 'intake', toStatus: 'monitoring' });
      expect(illegal.body.detail).toMatch(/intake.*monitoring/);
      expect((await t.dataSource.query(`SELECT status FROM case_file WHERE id = $1`, [c.id]))[0].status).toBe('intake');
      expect(await history(c.id)).toHaveLength(1);

      for (const status of ['active', 'monitoring', 'active']) expect((await move(c.id, status).expect(201)).body.status).toBe(status);
      const closed = await move(c.id, 'closed').expect(201);
      expect(closed.body.closedAt).toEqual(expect.any(String));
      const stuck = await move(c.id, 'monitoring').expect(409);
      expect(stuck.body).toMatchObject({ fromStatus: 'closed', toStatus: 'monitoring' });
      await move(c.id, 'closed').expect(409);
      expect((await t.dataSource.query(`SELECT status, closed_at FROM case_file WHERE id = $1`, [c.id]))[0]).toMatchObject({ status: 'closed' });

      const reopened = await move(c.id, 'active').expect(201);
      expect(reopened.body.closedAt).toBeNull();
      expect(reopened.body.statusHistory.map((h: { toStatus: string }) => h.toStatus)).toEqual(['intake', 'active', 'monitoring', 'active', 'closed', 'active']);
      expect(await history(c.id)).toHaveLength(6);
    });

    it('rejects an unknown status as invalid input', async () => {
      const { body: c } = await openCase('policeA', a.id, { vNumber: randomVNumber() }).expect(201);
      const res = await move(c.id, 'archived').expect(400);
      expect(res.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['status']);
    });
  });

  describe('strategy and deadlines', () => {
    it('keeps every strategy revision', async () => {
      const { body: c } = await openCase('policeA', a.id, { vNumber: randomVNumber() }).expect(201);
      const add = (text: string) => t.http().post(`${API}/cases/${c.id}/strategies`).set(as('coaA')).send({ kind: 'departure', text });
      expect((await add('Vertrekgesprek DT&V').expect(201)).body).toMatchObject({ revision: 1, kind: 'departure', text: 'Vertrekgesprek DT&V' });
      expect((await add('Vertrek binnen de vertrektermijn').expect(201)).body.revision).toBe(2);
      await add('').expect(400);
      await add('x'.repeat(5001)).expect(400);
      const list = await t.http().get(`${API}/cases/${c.id}/strategies`).set(as('municipalityA')).expect(200);
      expect(list.body.items.map((s: { revision: number; text: string }) => [s.revision, s.text])).toEqual([
        [1, 'Vertrekgesprek DT&V'],
        [2, 'Vertrek binnen de vertrektermijn'],
      ]);
      const detail = await t.http().get(`${API}/cases/${c.id}`).set(as('policeA')).expect(200);
      expect(detail.body.currentStrategy.revision).toBe(2);
      expect(detail.body.strategies).toHaveLength(2);
    });

    it('shows each deadline only under its own category, and guards writes by it', async () => {
      const { body: c } = await openCase('policeA', a.id, { vNumber: randomVNumber() }).expect(201);
      const add = (who: string, kind: string) => t.http().post(`${API}/cases/${c.id}/deadlines`).set(as(who)).send({ kind, dueDate: '2026-09-01', note: 'vertrektermijn' });
      const departure = await add('policeA', 'departure_period_end').expect(201);
      expect(departure.body).toMatchObject({ kind: 'departure_period_end', category: 'return', dueDate: '2026-09-01' });
      await add('municipalityA', 'other').expect(201);
      const refused = await add('municipalityA', 'departure_period_end').expect(403);
      expect(refused.body.code).toBe('category_not_granted');

      const seenBy = async (who: string) => (await t.http().get(`${API}/cases/${c.id}`).set(as(who)).expect(200)).body.deadlines;
      expect((await seenBy('policeA')).map((d: { kind: string }) => d.kind).sort()).toEqual(['departure_period_end', 'other']);
      expect(await seenBy('municipalityA')).toEqual([expect.objectContaining({ kind: 'other', category: 'deliberation' })]);

      await t.http().delete(`${API}/cases/${c.id}/deadlines/${departure.body.id}`).set(as('municipalityA')).expect(404);
      await t.http().delete(`${API}/cases/${c.id}/deadlines/${departure.body.id}`).set(as('policeA')).expect(204);
      expect((await seenBy('policeA')).map((d: { kind: string }) => d.kind)).toEqual(['other']);
    });
  });

  describe('disclosure and editing', () => {
    it('leaves out the fields of categories the viewer is not granted (absent keys, not null)', async () => {
      const c = await givenCase(t.dataSource, a, { careNotes: 'Minderjarige, voogdij Nidos', procedureStage: 'algemene asielprocedure' });
      const get = async (who: string) => (await t.http().get(`${API}/cases/${c.id}`).set(as(who)).expect(200)).body;
      const municipality = await get('municipalityA');
      for (const key of ['careNotes', 'procedureStage', 'indPriority']) expect(municipality).not.toHaveProperty(key);
      expect(municipality.subject.familyName).toBe('Testpersoon');
      expect(municipality).toHaveProperty('receptionLocation');
      const coa = await get('coaA');
      expect(coa).toMatchObject({ careNotes: 'Minderjarige, voogdij Nidos', procedureStage: 'algemene asielprocedure' });
      const police = await get('policeA');
      expect(police).not.toHaveProperty('careNotes');
      expect(police.procedureStage).toBe('algemene asielprocedure');
      const reads = await count(`SELECT count(*) AS n FROM processing_log WHERE operation_name = 'case.read' AND table_id = $1`, [a.id]);
      expect(reads).toBeGreaterThanOrEqual(3);
    });

    it('refuses a PATCH of care notes by the police with 403 and changes nothing; allows what is granted', async () => {
      const c = await givenCase(t.dataSource, a, { careNotes: 'origineel' });
      const refused = await t.http().patch(`${API}/cases/${c.id}`).set(as('policeA')).send({ careNotes: 'overschreven', riskLevel: 'high' }).expect(403);
      expect(refused.body).toMatchObject({ code: 'category_not_granted', categories: ['care'] });
      const [row] = await t.dataSource.query(`SELECT care_notes, risk_level FROM case_file WHERE id = $1`, [c.id]);
      expect(row).toEqual({ care_notes: 'origineel', risk_level: 'medium' });

      const ok = await t.http().patch(`${API}/cases/${c.id}`).set(as('policeA')).send({ riskLevel: 'high', familyName: 'Nieuwenaam', reviewDate: '2026-06-01' }).expect(200);
      expect(ok.body).toMatchObject({ riskLevel: 'high', reviewDate: '2026-06-01', subject: { familyName: 'Nieuwenaam' } });
      await t.http().patch(`${API}/cases/${c.id}`).set(as('coaA')).send({ careNotes: 'bijgewerkt' }).expect(200);
      expect((await t.dataSource.query(`SELECT care_notes FROM case_file WHERE id = $1`, [c.id]))[0].care_notes).toBe('bijgewerkt');
      expect(await count(`SELECT count(*) AS n FROM processing_log WHERE operation_name = 'case.update' AND table_id = $1`, [a.id])).toBe(2);
      await t.http().patch(`${API}/cases/${c.id}`).set(as('coaB')).send({ riskLevel: 'low' }).expect(404);
      await t.http().patch(`${API}/cases/${c.id}`).set(as('policeA')).send({ riskLevel: null }).expect(400);
    });
  });

  describe('transfer', () => {
    it('moves the case to the new table: the old table loses it, the new one sees it with its history', async () => {
      const { body: c } = await openCase('policeChairA', a.id, { vNumber: randomVNumber(), strategy: { kind: 'nuisance', text: 'Meldplicht' } }).expect(201);
      await t.http().post(`${API}/cases/${c.id}/status-changes`).set(as('policeA')).send({ status: 'active' }).expect(201);
      const transfer = (who: string, body: Record<string, unknown>) => t.http().post(`${API}/cases/${c.id}/transfers`).set(as(who)).send(body);

      expect((await transfer('policeA', { toTableId: b.id }).expect(403)).body.code).toBe('chair_only');
      await transfer('policeChairA', { toTableId: '00000000-0000-4000-8000-000000000000' }).expect(404);
      const done = await transfer('policeChairA', { toTableId: b.id, reason: 'Overgeplaatst naar ander azc' }).expect(201);
      expect(done.body).toMatchObject({ fromTableId: a.id, toTableId: b.id });

      await t.http().get(`${API}/cases/${c.id}`).set(as('policeA')).expect(404);
      await t.http().get(`${API}/cases/${c.id}`).set(as('policeChairA')).expect(404);
      const oldList = await t.http().get(`${API}/tables/${a.id}/cases`).query({ limit: 100 }).set(as('policeA')).expect(200);
      expect(oldList.body.items.map((i: { id: string }) => i.id)).not.toContain(c.id);

      const seen = await t.http().get(`${API}/cases/${c.id}`).set(as('coaB')).expect(200);
      expect(seen.body).toMatchObject({ tableId: b.id, reference: c.reference, status: 'active', currentStrategy: { text: 'Meldplicht' } });
      expect(seen.body.statusHistory.map((h: { toStatus: string }) => h.toStatus)).toEqual(['intake', 'active']);
      expect(seen.body.transfers).toEqual([expect.objectContaining({ fromTableId: a.id, toTableId: b.id })]);

      // An incident recorded after the transfer belongs to the new table only.
      await t.dataSource.query(
        `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at) VALUES ($1, $2, 'theft', 'nuisance', 'minor', now())`,
        [c.id, b.organisations.COA],
      );
      const since = new Date(Date.now() - 60_000).toISOString();
      const oldIncidents = await t.http().get(`${API}/tables/${a.id}/cases`).query({ incidentSince: since }).set(as('policeA')).expect(200);
      expect(oldIncidents.body.items).toEqual([]);
      const newIncidents = await t.http().get(`${API}/tables/${b.id}/cases`).query({ incidentSince: since }).set(as('policeB')).expect(200);
      expect(newIncidents.body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
      await t.http().post(`${API}/cases/${c.id}/strategies`).set(as('policeA')).send({ kind: 'other', text: 'x' }).expect(404);
      expect(await count(`SELECT count(*) AS n FROM processing_log WHERE operation_name = 'case.transfer' AND table_id = $1`, [a.id])).toBe(1);
    });

    it('refuses a transfer to a table where the person has an open case', async () => {
      const subject = await givenSubject(t.dataSource);
      const here = await givenCase(t.dataSource, a, { subjectId: subject.id });
      await givenCase(t.dataSource, b, { subjectId: subject.id });
      const res = await t.http().post(`${API}/cases/${here.id}/transfers`).set(as('policeChairA')).send({ toTableId: b.id }).expect(409);
      expect(res.body.code).toBe('open_case_exists');
      expect((await t.dataSource.query(`SELECT table_id FROM case_file WHERE id = $1`, [here.id]))[0].table_id).toBe(a.id);
    });
  });

  describe('list', () => {
    let c: GivenTable;
    let created: string[];
    beforeAll(async () => {
      c = await givenTable(t.dataSource);
      await userToken('policeC', c, 'POLICE');
      await userToken('municipalityC', c, 'MUNICIPALITY');
      created = [];
      for (let i = 0; i < 30; i++) {
        created.push((await givenCase(t.dataSource, c, { status: (['intake', 'active', 'monitoring', 'closed'] as const)[i % 4] })).id);
      }
      // Ties on opened_at must not lose or repeat rows across pages.
      await t.dataSource.query(`UPDATE case_file SET opened_at = '2025-03-01T09:00:00.123456Z' WHERE id = ANY($1)`, [created.slice(10, 20)]);
      await t.dataSource.query(`UPDATE case_file SET risk_level = 'high' WHERE id = ANY($1)`, [created.slice(0, 3)]);
      await t.dataSource.query(
        `INSERT INTO action (case_id, owner_organisation_id, description, due_date, status) VALUES
           ($1, $3, 'te laat', (now() AT TIME ZONE 'Europe/Amsterdam')::date - 3, 'open'),
           ($2, $3, 'op tijd', (now() AT TIME ZONE 'Europe/Amsterdam')::date + 3, 'open'),
           ($2, $3, 'klaar', (now() AT TIME ZONE 'Europe/Amsterdam')::date - 3, 'done')`,
        [created[5], created[6], c.organisations.POLICE],
      );
    });
    const list = (who: string, query: Record<string, unknown>, tableId = c.id) => t.http().get(`${API}/tables/${tableId}/cases`).query(query).set(as(who));

    it('pages through every case once, newest first, with an opaque cursor', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await list('policeC', { limit: 7, ...(cursor ? { cursor } : {}) }).expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(7);
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        cursor = res.body.nextCursor ?? undefined;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(5);
      expect(seen).toHaveLength(30);
      expect(new Set(seen).size).toBe(30);
      expect([...seen].sort()).toEqual([...created].sort());
      const all = (await list('policeC', { limit: 100 }).expect(200)).body.items as { openedAt: string }[];
      expect(all.map((i) => i.openedAt)).toEqual([...all.map((i) => i.openedAt)].sort().reverse());
      expect(all.map((i: unknown) => (i as { id: string }).id)).toEqual(seen);
      expect((await list('policeC', { cursor: 'bm9wZQ' }).expect(400)).body.invalidParams[0].name).toBe('cursor');
      await list('policeC', { limit: 0 }).expect(400);
      await list('policeC', { limit: 101 }).expect(400);
    });

    it('filters by status (repeatable or comma list), risk level and overdue actions', async () => {
      const idsOf = async (query: Record<string, unknown>) => (await list('policeC', { limit: 100, ...query }).expect(200)).body.items.map((i: { id: string }) => i.id).sort();
      const byStatus = (...s: string[]) => created.filter((_, i) => s.includes(['intake', 'active', 'monitoring', 'closed'][i % 4])).sort();
      expect(await idsOf({ status: 'active,closed' })).toEqual(byStatus('active', 'closed'));
      expect(await idsOf({ status: ['intake', 'monitoring'] })).toEqual(byStatus('intake', 'monitoring'));
      expect(await idsOf({ riskLevel: 'high' })).toEqual(created.slice(0, 3).sort());
      expect(await idsOf({ hasOverdueActions: 'true' })).toEqual([created[5]]);
      expect(await idsOf({ hasOverdueActions: 'false' })).toHaveLength(29);
      const item = (await list('policeC', { hasOverdueActions: 'true' }).expect(200)).body.items[0];
      expect(item).toMatchObject({ openActions: 1, overdueActions: 1, subject: { familyName: 'Testpersoon' } });
      expect((await list('policeC', { status: 'archived' }).expect(400)).body.invalidParams[0].name).toBe('status');
      await list('policeC', { hasOverdueActions: 'yes' }).expect(400);
      await list('coaB', {}).expect(404);
    });

    it('issues the same number of SQL statements for a page of 5 as for a page of 50, at most 5 (issue 11)', async () => {
      for (let i = 0; i < 30; i++) await givenCase(t.dataSource, c);
      const once = async (limit: number) => {
        const counter = countStatements(t.dataSource);
        try {
          const res = await list('policeC', { limit }).expect(200);
          expect(res.body.items).toHaveLength(limit);
        } finally {
          counter.restore();
        }
        return counter.statements;
      };
      // Background jobs (the log sealer) share the pool and can only add statements: the fewest of three
      // runs is the request's own count, while an N+1 would show in every run.
      const measure = async (limit: number) => {
        const runs = [await once(limit), await once(limit), await once(limit)];
        return runs.reduce((a, b) => (b.length < a.length ? b : a));
      };
      const small = await measure(5);
      const large = await measure(50);
      expect(small.length).toBeGreaterThan(0);
      expect(small.length).toBeLessThanOrEqual(5);
      expect(large).toHaveLength(small.length);
    });

    it('writes exactly one processing-log entry per listed case, under one operation', async () => {
      const res = await list('municipalityC', { limit: 12 }).expect(200);
      expect(res.body.items).toHaveLength(12);
      expect(res.body.items[0]).not.toHaveProperty('careNotes');
      const rows = await t.dataSource.query(
        `SELECT count(*)::int AS n, count(DISTINCT operation_id)::int AS ops, count(DISTINCT data_subject_id)::int AS subjects
           FROM processing_log WHERE operation_name = 'case.list' AND trace_id = $1`,
        [res.headers['x-request-id']],
      );
      expect(rows[0]).toEqual({ n: 12, ops: 1, subjects: 12 });
    });

    it('records an incoming W3C traceparent as the trace id of the processing log, and answers with a span of that trace', async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const res = await list('municipalityC', { limit: 3 }).set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`).expect(200);
      expect(res.headers['x-request-id']).toBe(traceId);
      expect(res.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM processing_log WHERE operation_name = 'case.list' AND trace_id = $1`, [traceId]);
      expect(n).toBe(3);
      // A malformed or all-zero traceparent is ignored: a new W3C trace id is made and returned.
      for (const bad of ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'garbage', `01-${traceId}`]) {
        const other = await list('municipalityC', { limit: 1 }).set('traceparent', bad).expect(200);
        expect(other.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
        expect(other.headers['x-request-id']).not.toBe(traceId);
        expect(other.headers.traceparent).toContain(other.headers['x-request-id']);
      }
    });
  });

  describe('subject search', () => {
    it('finds the caller’s visible cases by V-number, each under its own table, and reveals nothing else', async () => {
      const shared = await givenTable(t.dataSource, { organisations: { POLICE: a.organisations.POLICE } });
      const both = await givenTableUser(t.dataSource, a, 'POLICE');
      await givenMembership(t.dataSource, shared.id, both.id);
      const token = (await login(t, both.email)).accessToken;
      const subject = await givenSubject(t.dataSource);
      const atA = await givenCase(t.dataSource, a, { subjectId: subject.id, careNotes: 'zorg' });
      const atShared = await givenCase(t.dataSource, shared, { subjectId: subject.id });
      const atB = await givenCase(t.dataSource, b, { subjectId: subject.id });
      const search = (auth: Record<string, string>, vNumber: unknown) => t.http().post(`${API}/subjects/_search`).set(auth).send({ vNumber });

      const res = await search(bearer(token), subject.vNumber).expect(200);
      expect(res.body.items.map((i: { id: string }) => i.id).sort()).toEqual([atA.id, atShared.id].sort());
      expect(res.body.items.find((i: { id: string }) => i.id === atA.id)).toMatchObject({ tableId: a.id, subject: { vNumber: subject.vNumber } });
      expect(res.body.items.map((i: { id: string }) => i.id)).not.toContain(atB.id);
      const entries = await t.dataSource.query(`SELECT table_id FROM processing_log WHERE operation_name = 'subject.search' AND trace_id = $1`, [
        res.headers['x-request-id'],
      ]);
      expect(entries.map((e: { table_id: string }) => e.table_id).sort()).toEqual([a.id, shared.id].sort());

      expect((await search(as('municipalityA'), randomVNumber()).expect(200)).body).toEqual({ items: [] });
      const onlyElsewhere = await givenSubject(t.dataSource);
      await givenCase(t.dataSource, b, { subjectId: onlyElsewhere.id });
      expect((await search(as('municipalityA'), onlyElsewhere.vNumber).expect(200)).body).toEqual({ items: [] });
      expect((await search(as('municipalityA'), '123').expect(400)).body.invalidParams[0].name).toBe('vNumber');
    });
  });
});
