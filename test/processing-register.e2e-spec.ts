import fc from 'fast-check';
import { QueryFailedError } from 'typeorm';
import { DATA_SUBJECT_CATEGORY_LABELS, LAWFUL_GROUND_LABELS, PURPOSE_LABELS } from '../src/common/labels';
import { CATEGORIES, DEFAULT_MATRIX, LAWFUL_GROUNDS, MEMBER_ORGANISATION_TYPES, type Category } from '../src/sharing/categories';
import { isPurpose, Purpose } from '../src/sharing/purposes';
import type { GrantInput } from '../src/tables/covenant-writer';
import type { ProcessingActivityDto } from '../src/tables/processing-register.dto';
import { givenTable, givenTableUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

interface GrantRow {
  table_id: string;
  version: number;
  organisation_type: string;
  category: Category;
  lawful_ground: string;
  legal_basis: string;
  processing_activity_id: string;
}

/** The PostgreSQL error code of a refused statement (e.g. 23503 foreign_key_violation). */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof QueryFailedError) return (e.driverError as { code: string }).code;
    throw e;
  }
  throw new Error('the statement was not refused');
}

describe('register of processing activities (art. 30 AVG)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let demoTableId: string;
  const http = () => t.http();
  const as = (who: string) => bearer(tokens[who]);

  const register = async (who = 'privacy', tableId?: string): Promise<ProcessingActivityDto[]> =>
    (await http().get('/api/v1/processing-register').query(tableId ? { tableId, limit: 100 } : { limit: 100 }).set(as(who)).expect(200)).body.items;

  /** Every grant of every covenant version in the database, old versions included. */
  const allGrants = (): Promise<GrantRow[]> =>
    t.dataSource.query(
      `SELECT v.table_id, v.version, g.organisation_type, g.category, g.lawful_ground, g.legal_basis, g.processing_activity_id
         FROM covenant_grant g JOIN covenant_version v ON v.id = g.covenant_version_id`,
    );

  /** Resolves each grant's activity id in the served register; anything unresolved is reported by name. */
  async function unresolved(grants: GrantRow[]): Promise<string[]> {
    const entries = new Map((await register()).map((e) => [e.id, e]));
    return grants
      .filter((g) => {
        const e = entries.get(g.processing_activity_id);
        return !e || e.tableId !== g.table_id || e.category !== g.category;
      })
      .map((g) => `table ${g.table_id} v${g.version} ${g.organisation_type}/${g.category} → ${g.processing_activity_id}`);
  }

  beforeAll(async () => {
    t = await startTestApp();
    for (const who of ['coa', 'politie', 'admin', 'privacy']) tokens[who] = (await login(t, `${who}@demo.ketentafel.nl`)).accessToken;
    [{ id: demoTableId }] = await t.dataSource.query(`SELECT id FROM chain_table WHERE name = 'LKO Harderwijk'`);
  });
  afterAll(() => t.close());

  it("resolves every processingActivityId of every covenant of the demo to a complete entry of the grant's own table and category", async () => {
    const grants = await allGrants();
    expect(grants.length).toBeGreaterThan(30);
    expect(await unresolved(grants)).toEqual([]);

    const entries = await register('privacy', demoTableId);
    expect(entries.map((e) => e.category)).toEqual([...CATEGORIES]);
    for (const e of entries) {
      expect(e).toMatchObject({ tableId: demoTableId, tableName: 'LKO Harderwijk', covenantVersion: 1, retention: { months: 24 } });
      expect(e.name).toMatch(/^LKO Harderwijk: \S/);
      expect(e.purpose).toMatch(/^Casusoverleg over overlast en criminaliteit door asielzoekers: /);
      expect(e.retention.description).toContain('24 maanden');
      expect(e.personalDataCategories).toEqual([{ code: e.category, label: expect.stringMatching(/\S/) }]);
      expect(e.dataSubjectCategories.map((d) => d.code)).toContain('foreign_national');
      for (const d of e.dataSubjectCategories) expect(d.label).toBe(DATA_SUBJECT_CATEGORY_LABELS[d.code as keyof typeof DATA_SUBJECT_CATEGORY_LABELS]);
      // The recipients are the covenant in force: the default matrix, each with its legal basis, granted since version 1.
      expect(e.recipients.map((r) => r.organisationType).sort()).toEqual([...DEFAULT_MATRIX[e.category]].sort());
      for (const r of e.recipients) {
        expect(r.legalBasis).toMatch(/AVG/);
        expect(r.lawfulGroundLabel).toBe(LAWFUL_GROUND_LABELS[r.lawfulGround]);
        expect(Date.parse(r.grantedSince)).not.toBeNaN();
      }
      expect(e.legalBases.length).toBeGreaterThan(0);
      expect(e.lawfulGrounds.map((g) => g.code)).toEqual([...new Set(e.recipients.map((r) => r.lawfulGround))].sort());
      expect(e.jointControllers.map((c) => c.type).sort()).toEqual(['CHAIN_MARINE', 'COA', 'DTV', 'IND', 'MUNICIPALITY', 'OM', 'POLICE']);
    }
    expect(entries.find((e) => e.category === 'deliberation')!.dataSubjectCategories.map((d) => d.code)).toEqual(['foreign_national', 'chain_partner_staff']);
    // The table's own route serves the same entries to its members.
    const own = (await http().get(`/api/v1/tables/${demoTableId}/processing-activities`).set(as('politie')).expect(200)).body.items;
    expect(own).toEqual(entries);
  });

  it('resolves every processing-log entry of the demo (after processing) to an entry of the register', async () => {
    const [{ id: caseId }] = await t.dataSource.query(`SELECT id FROM case_file WHERE table_id = $1 ORDER BY reference LIMIT 1`, [demoTableId]);
    await http().get(`/api/v1/cases/${caseId}`).set(as('politie')).expect(200);
    await http().get(`/api/v1/tables/${demoTableId}/cases`).set(as('coa')).expect(200);
    const ids: { id: string }[] = await t.dataSource.query(`SELECT DISTINCT processing_activity_id AS id FROM processing_log WHERE processing_activity_id IS NOT NULL`);
    expect(ids.length).toBeGreaterThan(0);
    const known = new Set((await register()).map((e) => e.id));
    expect(ids.map((r) => r.id).filter((id) => !known.has(id))).toEqual([]);
  });

  it('resolves every grant of randomly generated covenants, and lists exactly the granted organisation types as recipients', async () => {
    const table = await givenTable(t.dataSource, { memberTypes: ['COA', 'POLICE', 'MUNICIPALITY'] });
    const chair = (await login(t, (await givenTableUser(t.dataSource, table, 'COA', 'chair')).email)).accessToken;
    const grantArb = fc.record({
      organisationType: fc.constantFrom(...MEMBER_ORGANISATION_TYPES),
      category: fc.constantFrom(...CATEGORIES),
      lawfulGround: fc.constantFrom(...LAWFUL_GROUNDS),
      legalBasis: fc.constantFrom('Art. 6 lid 1 sub e AVG; Gemeentewet art. 172', 'Art. 6 lid 1 sub c AVG; Wet politiegegevens art. 20'),
    });
    const covenantArb = fc.uniqueArray(grantArb, { selector: (g) => `${g.organisationType}/${g.category}`, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(covenantArb, async (grants: GrantInput[]) => {
        await http().put(`/api/v1/tables/${table.id}/covenant`).set(bearer(chair)).send({ changeNote: 'Generated', grants }).expect(200);
        const covenant = (await http().get(`/api/v1/tables/${table.id}/covenant`).set(bearer(chair)).expect(200)).body;
        const entries: ProcessingActivityDto[] = (await http().get(`/api/v1/tables/${table.id}/processing-activities`).set(bearer(chair)).expect(200)).body.items;
        const byId = new Map(entries.map((e) => [e.id, e]));
        for (const g of covenant.grants as (GrantInput & { processingActivityId: string })[]) {
          const entry = byId.get(g.processingActivityId);
          expect(entry).toBeDefined();
          expect(entry!.category).toBe(g.category);
          expect(entry!.recipients).toContainEqual(expect.objectContaining({ organisationType: g.organisationType, lawfulGround: g.lawfulGround, legalBasis: g.legalBasis }));
        }
        for (const e of entries) {
          const granted = grants.filter((g) => g.category === e.category).map((g) => g.organisationType).sort();
          expect(e.recipients.map((r) => r.organisationType)).toEqual(granted);
          expect(e.covenantVersion).toBe(covenant.version);
        }
      }),
      { numRuns: 12 },
    );
    // And every version ever saved, walked in the database.
    expect(await unresolved((await allGrants()).filter((g) => g.table_id === table.id))).toEqual([]);
  });

  it('says since when a recipient is granted: from the start of its unbroken run of covenant versions', async () => {
    const table = await givenTable(t.dataSource, { memberTypes: ['COA', 'POLICE'] });
    const chair = (await login(t, (await givenTableUser(t.dataSource, table, 'COA', 'chair')).email)).accessToken;
    const grant = (organisationType: string, category: string) => ({ organisationType, category, lawfulGround: 'public_task', legalBasis: 'Art. 6 lid 1 sub e AVG' });
    const save = (grants: object[]) => http().put(`/api/v1/tables/${table.id}/covenant`).set(bearer(chair)).send({ changeNote: 'Test', grants }).expect(200);
    await save([grant('COA', 'identity'), grant('POLICE', 'criminal')]); // version 2
    await save([grant('COA', 'identity')]); // version 3: police lose criminal data
    await save([grant('COA', 'identity'), grant('POLICE', 'criminal')]); // version 4: and get it back
    const created: Record<number, string> = Object.fromEntries(
      (await t.dataSource.query(`SELECT version, created_at FROM covenant_version WHERE table_id = $1`, [table.id])).map((v: { version: number; created_at: Date }) => [
        v.version,
        v.created_at.toISOString(),
      ]),
    );
    const entries = await register('admin', table.id);
    const recipient = (category: string, type: string) => entries.find((e) => e.category === category)!.recipients.find((r) => r.organisationType === type)!;
    // COA has held identity since version 1 (the default covenant grants it too).
    expect(recipient('identity', 'COA').grantedSince).toBe(created[1]);
    expect(recipient('criminal', 'POLICE').grantedSince).toBe(created[4]);
    expect(entries.find((e) => e.category === 'care')!.recipients).toEqual([]);
  });

  it('renames its entries with the table', async () => {
    const table = await givenTable(t.dataSource);
    const name = `LKO Hernoemd ${table.prefix}`;
    await http().patch(`/api/v1/tables/${table.id}`).set(as('admin')).send({ name }).expect(200);
    const entries = await register('admin', table.id);
    expect(entries.map((e) => e.name.split(': ')[0])).toEqual(CATEGORIES.map(() => name));
    expect(entries.every((e) => e.tableName === name)).toBe(true);
  });

  describe('the database refuses a pointer past the register', () => {
    let versionId: string;
    let own: Record<string, string>;
    let foreign: Record<string, string>;
    beforeAll(async () => {
      // No grants yet, so that only the pointer can be what refuses an insert.
      const table = await givenTable(t.dataSource, { grants: [] });
      const other = await givenTable(t.dataSource, { grants: [] });
      const activities = async (tableId: string) =>
        Object.fromEntries((await t.dataSource.query(`SELECT category, id FROM processing_activity WHERE table_id = $1`, [tableId])).map((r: { category: string; id: string }) => [r.category, r.id]));
      own = await activities(table.id);
      foreign = await activities(other.id);
      [{ current_covenant_version_id: versionId }] = await t.dataSource.query(`SELECT current_covenant_version_id FROM chain_table WHERE id = $1`, [table.id]);
    });
    const insertGrant = (category: string, activityId: string) =>
      t.dataSource.query(
        `INSERT INTO covenant_grant (covenant_version_id, organisation_type, category, lawful_ground, legal_basis, processing_activity_id)
         VALUES ($1, 'KMAR', $2, 'public_task', 'Test', $3)`,
        [versionId, category, activityId],
      );

    it('accepts the entry of its own table and category (the control)', async () => {
      await insertGrant('identity', own.identity);
    });
    it('refuses an unknown id', async () => {
      expect(await refusal(insertGrant('residence', '00000000-0000-4000-8000-000000000000'))).toBe('23503');
    });
    it("refuses another category's entry", async () => {
      expect(await refusal(insertGrant('residence', own.criminal))).toBe('23503');
    });
    it("refuses another table's entry", async () => {
      expect(await refusal(insertGrant('residence', foreign.residence))).toBe('23503');
    });
    it('refuses a processing-log entry under an unknown activity', async () => {
      const insert = (activity: string) =>
        t.dataSource.query(
          `INSERT INTO processing_log (trace_id, operation_id, operation_name, status, started_at, ended_at, processing_activity_id, data_subject_id)
           VALUES ('trace-register', gen_random_uuid(), 'case.read', 'ok', now(), now(), $1, repeat('b', 64))`,
          [activity],
        );
      expect(await refusal(insert('00000000-0000-4000-8000-000000000000'))).toBe('23503');
      await insert(own.identity);
    });
  });

  it('is served across tables to the privacy officer and administrators only', async () => {
    const all = await register('privacy');
    expect(new Set(all.map((e) => e.tableId)).size).toBeGreaterThan(1);
    expect(await register('admin')).toEqual(all);
    for (const who of ['coa', 'politie']) await http().get('/api/v1/processing-register').set(as(who)).expect(403);
    await http().get('/api/v1/processing-register').expect(401);
    const bad = await http().get('/api/v1/processing-register').query({ tableId: 'nope' }).set(as('privacy')).expect(400);
    expect(bad.body.invalidParams).toEqual([expect.objectContaining({ name: 'tableId' })]);
  });

  describe('purposes in the audit log: one fixed set, read in Dutch', () => {
    it('writes only purposes of the set, and the audit log labels each in Dutch', async () => {
      const [{ id: caseId }] = await t.dataSource.query(`SELECT id FROM case_file WHERE table_id = $1 ORDER BY reference LIMIT 1`, [demoTableId]);
      await http().get(`/api/v1/cases/${caseId}`).set(as('coa')).expect(200);
      const purposes: { purpose: string }[] = await t.dataSource.query(`SELECT DISTINCT purpose FROM audit_log WHERE purpose IS NOT NULL`);
      expect(purposes.length).toBeGreaterThan(1);
      expect(purposes.filter((p) => !isPurpose(p.purpose))).toEqual([]);
      const page = (await http().get('/api/v1/privacy/audit-log').query({ tableId: demoTableId, limit: 100 }).set(as('privacy')).expect(200)).body;
      const read = page.items.find((e: { action: string }) => e.action === 'case.read');
      expect(read).toMatchObject({ purpose: Purpose.CaseDiscussion, purposeLabel: PURPOSE_LABELS[Purpose.CaseDiscussion] });
      expect(read.purposeLabel).toBe('Casus bespreken in het casusoverleg');
    });

    it('refuses a free-text purpose in the database', async () => {
      const insert = (purpose: string) =>
        t.dataSource.query(`INSERT INTO audit_log (trace_id, operation_id, actor_kind, action, result, purpose) VALUES ('trace-purpose', gen_random_uuid(), 'system', 'test', 'allowed', $1)`, [purpose]);
      expect(await refusal(insert('Discuss the case at the case conference'))).toBe('23514');
      await insert(Purpose.Statistics);
    });
  });
});
