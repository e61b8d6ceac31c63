import { casePageStatement } from '../src/cases/case.repository';
import { Clock } from '../src/common/clock';
import { encodeCursor } from '../src/common/pagination';
import { defaultGrants } from '../src/tables/covenant-writer';
import { givenAction, givenCase, givenCases, givenIncident, givenSubject, givenTable, GivenTable, givenTableUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';
import { ownerClient } from './support/test-database';

const API = '/api/v1';

/**
 * The case list sorted on what a chair sorts on (opened, risk, last incident, next due date) and searched on
 * references and, with `identity`, names and V-numbers (issue 12, "Lists"). Every sort is a keyset page: walked
 * page by page it gives every case once, in the order the whole list has; each reads its own index.
 */
describe('case list: sort and search', () => {
  let t: TestApp;
  let table: GivenTable;
  const tokens: Record<string, string> = {};
  const cases: { id: string; opened: string; risk: number; nuisance: string | null; offence: string | null; due: string | null }[] = [];

  const list = (who: string, query: Record<string, unknown>, tableId = table.id) => t.http().get(`${API}/tables/${tableId}/cases`).query(query).set(bearer(tokens[who]));

  async function walk(who: string, query: Record<string, unknown>, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const res = await list(who, { ...query, limit, ...(cursor ? { cursor } : {}) }).expect(200);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor ?? undefined;
      if (!cursor) return seen;
      expect(res.headers.link).toContain('rel="next"');
    }
    throw new Error('too many pages');
  }

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    // MUNICIPALITY: incidents without criminal; NIDOS: neither; OM: criminal only. A table where the municipality
    // is granted neither identity nor deliberation, for the refusals.
    table = await givenTable(t.dataSource, { memberTypes: ['COA', 'POLICE', 'MUNICIPALITY', 'NIDOS', 'OM'] });
    for (const [name, type] of [['police', 'POLICE'], ['municipality', 'MUNICIPALITY'], ['nidos', 'NIDOS'], ['om', 'OM']] as const) {
      tokens[name] = (await login(t, (await givenTableUser(t.dataSource, table, type)).email)).accessToken;
    }
    const made = await givenCases(t.dataSource, table, 12);
    // Ties on every key, so that the tie-break (opened, then id) is exercised across pages.
    for (const [i, c] of made.entries()) {
      const opened = `2025-0${1 + (i % 3)}-0${1 + (i % 5)}T10:00:00.${String(i % 2).padStart(6, '0')}Z`;
      const risk = (['low', 'medium', 'high'] as const)[i % 3];
      await t.dataSource.query(`UPDATE case_file SET opened_at = $2, risk_level = $3 WHERE id = $1`, [c.id, opened, risk]);
      let nuisance: string | null = null;
      let offence: string | null = null;
      let due: string | null = null;
      if (i % 4 === 1 || i % 4 === 3) {
        nuisance = `2026-0${1 + (i % 6)}-10T08:00:00.000Z`;
        await givenIncident(t.dataSource, c.id, table.organisations.POLICE!, { classification: 'nuisance' });
        await t.dataSource.query(`UPDATE incident SET occurred_at = $2 WHERE case_id = $1 AND classification = 'nuisance'`, [c.id, nuisance]);
      }
      if (i % 3 === 0) {
        offence = `2026-0${1 + (i % 7)}-20T08:00:00.000Z`;
        await givenIncident(t.dataSource, c.id, table.organisations.POLICE!, { classification: 'offence' });
        await t.dataSource.query(`UPDATE incident SET occurred_at = $2 WHERE case_id = $1 AND classification = 'offence'`, [c.id, offence]);
      }
      if (i % 2 === 0) {
        due = `2026-0${1 + (i % 4)}-15`;
        await givenAction(t.dataSource, c.id, table.organisations.POLICE!, { dueDate: due });
        // A later open action and a done earlier one: only the earliest open one counts.
        await givenAction(t.dataSource, c.id, table.organisations.POLICE!, { dueDate: '2027-01-01' });
        await givenAction(t.dataSource, c.id, table.organisations.POLICE!, { dueDate: '2025-01-01', status: 'done' });
      }
      cases.push({ id: c.id, opened, risk: ['low', 'medium', 'high'].indexOf(risk), nuisance, offence, due });
    }
  });
  afterAll(() => t?.close());

  /** The expected order: by key (missing keys as the migration's sentinels), then opened, then id, all one way. */
  function expected(key: (c: (typeof cases)[number]) => string | number, descending: boolean): string[] {
    const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
    const sorted = [...cases].sort((a, b) => cmp(key(a), key(b)) || cmp(a.opened, b.opened) || cmp(a.id, b.id));
    return (descending ? sorted.reverse() : sorted).map((c) => c.id);
  }
  const latest = (...at: (string | null)[]) => at.filter((x): x is string => x !== null).sort().at(-1) ?? '';

  it.each([
    ['openedAt', () => ''],
    ['riskLevel', (c: (typeof cases)[number]) => c.risk],
    ['nextDueDate', (c: (typeof cases)[number]) => c.due ?? '9999'],
    ['lastIncidentAt', (c: (typeof cases)[number]) => latest(c.nuisance, c.offence)],
  ])('sorts on %s both ways, page by page, every case once, ties by opened', async (field, key) => {
    for (const descending of [false, true]) {
      const sort = `${descending ? '-' : ''}${field}`;
      const want = expected(key, descending);
      expect(await walk('police', { sort }, 5)).toEqual(want);
      expect((await list('police', { sort, limit: 100 }).expect(200)).body.items.map((i: { id: string }) => i.id)).toEqual(want);
    }
  });

  it('defaults to newest opened first, as before', async () => {
    expect(await walk('police', {}, 5)).toEqual(expected(() => '', true));
  });

  it('sorts on last incident by the incidents the caller may see only, and refuses it to whoever sees none', async () => {
    expect(await walk('municipality', { sort: '-lastIncidentAt' }, 4)).toEqual(expected((c) => latest(c.nuisance), true));
    expect(await walk('om', { sort: '-lastIncidentAt' }, 4)).toEqual(expected((c) => latest(c.offence), true));
    const refused = await list('nidos', { sort: '-lastIncidentAt' }).expect(403);
    expect(refused.body.code).toBe('category_not_granted');
  });

  it('refuses an unknown sort and a cursor of another sort with 400 naming the field', async () => {
    const unknown = await list('police', { sort: 'familyName' }).expect(400);
    expect(unknown.body.invalidParams).toEqual([expect.objectContaining({ name: 'sort' })]);
    const first = await list('police', { sort: 'riskLevel', limit: 2 }).expect(200);
    const other = await list('police', { sort: '-riskLevel', cursor: first.body.nextCursor }).expect(400);
    expect(other.body.invalidParams).toEqual([expect.objectContaining({ name: 'cursor' })]);
    const forged = await list('police', { sort: 'riskLevel', cursor: encodeCursor(['riskLevel', 9, '2025-01-01T00:00:00.000000Z', cases[0].id]) }).expect(400);
    expect(forged.body.invalidParams).toEqual([expect.objectContaining({ name: 'cursor' })]);
  });

  it('keeps the due-date and incident keys in the transaction of every write (insert, close, delete)', async () => {
    const c = await givenCase(t.dataSource, table);
    const key = async () => (await t.dataSource.query(`SELECT next_due_date::text AS due, last_nuisance_at AS n, risk_rank FROM case_list_key WHERE case_id = $1`, [c.id]))[0];
    expect((await key()).due).toBe('infinity');
    await t.dataSource.query(`UPDATE case_file SET risk_level = 'high' WHERE id = $1`, [c.id]);
    expect((await key()).risk_rank).toBe(3);
    const early = await givenAction(t.dataSource, c.id, table.organisations.POLICE!, { dueDate: '2026-02-01' });
    await givenAction(t.dataSource, c.id, table.organisations.POLICE!, { dueDate: '2026-03-01' });
    expect((await key()).due).toBe('2026-02-01');
    await t.dataSource.query(`UPDATE action SET status = 'done', completed_at = now() WHERE id = $1`, [early.id]);
    expect((await key()).due).toBe('2026-03-01');
    await t.dataSource.query(`DELETE FROM action WHERE case_id = $1`, [c.id]);
    expect((await key()).due).toBe('infinity');
    const incident = await givenIncident(t.dataSource, c.id, table.organisations.POLICE!);
    expect(Number.isFinite(new Date((await key()).n).getTime())).toBe(true);
    await t.dataSource.query(`DELETE FROM incident WHERE id = $1`, [incident.id]);
    expect((await key()).n).toBe(-Infinity);
    await t.dataSource.query(`DELETE FROM case_file WHERE id = $1`, [c.id]);
    expect(await key()).toBeUndefined();
  });

  it('keeps the keys right when two transactions change one case at once, in either order', async () => {
    const c = await givenCase(t.dataSource, table);
    const due = async () => (await t.dataSource.query(`SELECT next_due_date::text AS due FROM case_list_key WHERE case_id = $1`, [c.id]))[0].due;
    for (const [first, second] of [['2026-03-01', '2026-02-01'], ['2026-01-01', '2026-04-01']]) {
      const [a, b] = [t.dataSource.createQueryRunner(), t.dataSource.createQueryRunner()];
      try {
        await a.startTransaction();
        await b.startTransaction();
        const insert = (r: typeof a, dueDate: string) =>
          r.query(`INSERT INTO action (case_id, owner_organisation_id, description, due_date) VALUES ($1, $2, 'Gelijktijdig', $3)`, [c.id, table.organisations.POLICE, dueDate]);
        await insert(a, first);
        // b waits for a's lock on the key row, then recomputes seeing a's committed action.
        const waiting = insert(b, second).then(() => b.commitTransaction());
        await new Promise((resolve) => setTimeout(resolve, 200));
        await a.commitTransaction();
        await waiting;
      } finally {
        await a.release();
        await b.release();
      }
      expect(await due()).toBe((await t.dataSource.query(`SELECT min(due_date)::text AS d FROM action WHERE case_id = $1 AND status = 'open'`, [c.id]))[0].d);
    }
    expect(await due()).toBe('2026-01-01');
  });

  it('lets two organisations record incidents on one case at once (no deadlock on the sort keys)', async () => {
    const c = await givenCase(t.dataSource, table);
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.http().post(`${API}/cases/${c.id}/incidents`).set(bearer(tokens[i % 2 ? 'police' : 'municipality'])).send({ kind: 'theft', severity: 'minor', occurredAt: at }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(6).fill(201));
    const [key] = await t.dataSource.query(`SELECT last_nuisance_at, last_offence_at FROM case_list_key WHERE case_id = $1`, [c.id]);
    expect(new Date(key.last_nuisance_at).toISOString()).toBe(at);
    expect(new Date(key.last_offence_at).toISOString()).toBe(at);
  });

  describe('search', () => {
    let other: GivenTable;
    beforeAll(async () => {
      const grants = defaultGrants().filter((g) => !(g.organisationType === 'MUNICIPALITY' && (g.category === 'identity' || g.category === 'deliberation')));
      other = await givenTable(t.dataSource, { grants, memberTypes: ['POLICE', 'MUNICIPALITY'] });
      tokens.otherPolice = (await login(t, (await givenTableUser(t.dataSource, other, 'POLICE')).email)).accessToken;
      tokens.otherMunicipality = (await login(t, (await givenTableUser(t.dataSource, other, 'MUNICIPALITY')).email)).accessToken;
      const named = async (familyName: string, givenNames: string, vNumber?: string) =>
        (await givenCase(t.dataSource, other, { subjectId: (await givenSubject(t.dataSource, { familyName, givenNames, vNumber })).id })).id;
      ids.jansen = await named('Jansen', 'Piet', '5550001234');
      ids.percent = await named('Honderd%', 'Kees');
      ids.plain = await named('Honderdduizend', 'Kees');
      ids.restricted = await named('Jansen-Restrictie', 'Anna');
      await t.dataSource.query(`UPDATE subject SET restricted_at = now() WHERE id = (SELECT subject_id FROM case_file WHERE id = $1)`, [ids.restricted]);
      await t.dataSource.query(`UPDATE case_file SET reference = 'ZOEK-2026-0042' WHERE id = $1`, [ids.plain]);
    });
    const ids: Record<string, string> = {};
    const found = async (who: string, q: string) =>
      ((await list(who, { q, limit: 100 }, other.id).expect(200)).body.items as { id: string }[]).map((i) => i.id).sort();

    it('finds by reference for everyone, by name and V-number only with identity, never a restricted person by name', async () => {
      expect(await found('otherPolice', 'zoek-2026')).toEqual([ids.plain]);
      expect(await found('otherMunicipality', 'zoek-2026')).toEqual([ids.plain]);
      expect(await found('otherPolice', 'jANSEN')).toEqual([ids.jansen]);
      expect(await found('otherPolice', 'piet jansen')).toEqual([ids.jansen]);
      expect(await found('otherPolice', '0001234')).toEqual([ids.jansen]);
      expect(await found('otherMunicipality', 'jansen')).toEqual([]);
      expect(await found('otherMunicipality', '0001234')).toEqual([]);
    });

    it('takes %, _ and \\ literally', async () => {
      expect(await found('otherPolice', 'honderd%')).toEqual([ids.percent]);
      expect(await found('otherPolice', 'Honderd_')).toEqual([]);
      expect(await found('otherPolice', '\\')).toEqual([]);
    });

    it('refuses an empty, too long or control-character search with 400 naming q, and trims it', async () => {
      for (const q of ['   ', 'x'.repeat(101), 'a\u0001b', 'a\tb']) {
        const res = await list('otherPolice', { q }, other.id).expect(400);
        expect(res.body.invalidParams).toEqual([expect.objectContaining({ name: 'q' })]);
      }
      expect(await found('otherPolice', '  jansen  ')).toEqual([ids.jansen]);
    });

    it('refuses a sort on risk or due date without deliberation, as filters do', async () => {
      for (const sort of ['riskLevel', '-nextDueDate']) expect((await list('otherMunicipality', { sort }, other.id).expect(403)).body.code).toBe('category_not_granted');
      await list('otherMunicipality', { sort: '-openedAt' }, other.id).expect(200);
    });
  });

  it('reads every sort, 2,000 cases deep, through its own index with no row filtered out', async () => {
    const big = await givenTable(t.dataSource);
    await t.dataSource.query(`
      WITH s AS (INSERT INTO subject (v_number) SELECT lpad((8200000000 + g)::text, 10, '0') FROM generate_series(1, 3000) g RETURNING id, v_number)
      INSERT INTO case_file (table_id, subject_id, reference, status, risk_level, opened_at)
      SELECT $1, s.id, 'BIG-' || s.v_number, 'active', (ARRAY['low','medium','high'])[1 + s.v_number::bigint % 3],
             now() - interval '1 hour' * (s.v_number::bigint - 8200000000) FROM s`, [big.id]);
    await t.dataSource.query(
      `INSERT INTO action (case_id, owner_organisation_id, description, due_date, status)
       SELECT id, $2, 'Big', current_date + (abs(hashtext(id::text)) % 300), 'open' FROM case_file WHERE table_id = $1`,
      [big.id, big.organisations.POLICE!],
    );
    await t.dataSource.query(
      `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at)
       SELECT id, $2, 'theft', (ARRAY['nuisance','offence'])[1 + abs(hashtext(id::text)) % 2], 'minor', now() - interval '1 minute' * (abs(hashtext(id::text)) % 10000)
         FROM case_file WHERE table_id = $1`,
      [big.id, big.organisations.POLICE!],
    );
    // As at scale: statistics that know the table (the application role may not ANALYZE; the owner does).
    const owner = await ownerClient(t.db);
    await owner.query('ANALYZE');
    await owner.end();
    const today = t.app.get(Clock).today();
    const indexes: Record<string, [string, string]> = {
      openedAt: ['case_file', 'case_file_table_page_idx'],
      riskLevel: ['case_list_key', 'case_list_key_risk_idx'],
      nextDueDate: ['case_list_key', 'case_list_key_due_idx'],
      lastIncidentAt: ['case_list_key', 'case_list_key_incident_idx'],
    };
    for (const [field, [relation, index]] of Object.entries(indexes)) {
      for (const descending of [true, false]) {
        const sort = { field: field as 'openedAt', descending };
        const first = casePageStatement(big.id, { incidentClassifications: ['nuisance', 'offence'], sort }, 2001, today);
        const rows = await t.dataSource.query(first.text, first.values);
        const last = rows[2000];
        const page = casePageStatement(
          big.id,
          { incidentClassifications: ['nuisance', 'offence'], sort, after: { key: last.sort_key, openedAt: last.cursor_at, id: last.id } },
          51,
          today,
        );
        const [plan] = (await t.dataSource.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${page.text}`, page.values))[0]['QUERY PLAN'];
        const nodes: Record<string, unknown>[] = [];
        const visit = (n: Record<string, unknown>) => (nodes.push(n), ((n.Plans as Record<string, unknown>[]) ?? []).forEach(visit));
        visit(plan.Plan);
        const scans = nodes.filter((n) => n['Relation Name'] === relation);
        expect({ field, descending, scans: scans.map((n) => [n['Node Type'], n['Index Name']]) }).toEqual({ field, descending, scans: [[expect.stringMatching(/^Index (Only )?Scan$/), index]] });
        expect(scans[0]['Rows Removed by Filter'] ?? 0).toBe(0);
        expect(scans[0]['Actual Rows']).toBeLessThanOrEqual(51);
        expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
        // Each listed case (and its subject) is then read by its key, never by a scan.
        expect(nodes.filter((n) => n['Relation Name'] === 'case_file' || n['Relation Name'] === 'subject').map((n) => n['Node Type'])).not.toContain('Seq Scan');
      }
    }
  });
});
