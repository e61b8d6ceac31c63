import type { Client } from 'pg';
import { seedScale, ScaleCounts } from '../bench/seed-scale';
import { CASE_STATUSES } from '../src/cases/case.entity';
import { Clock } from '../src/common/clock';
import { DEMO_PASSWORD } from '../src/db/demo-seed';
import { pseudonymise } from '../src/sharing/pseudonym';
import { sealAndVerifyLogs } from './support/logs';
import { bearer, login, startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, ownerClient, TestDatabase } from './support/test-database';

const API = '/api/v1';
const CASES = 3000;

/**
 * The schema's indexes, constraints (with whether they are validated) and triggers (with whether they are
 * enabled): the load drops and disables some of them, and must leave every one as it found it.
 */
const SCHEMA_SQL = `
  SELECT string_agg(x, E'\\n' ORDER BY x) AS schema FROM (
    SELECT 'index ' || pg_get_indexdef(i.indexrelid) AS x
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' validated=' || convalidated
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname || ' enabled=' || tgenabled::text
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
  ) s`;

/** The tables the load fills, with the columns that cannot be the same in two databases (a salted hash, the transaction id). */
const CHECKSUMMED: Record<string, { order: string; skip?: string[] }> = {
  organisation: { order: 'id' },
  app_user: { order: 'id', skip: ['password_hash'] },
  chain_table: { order: 'id' },
  table_member_organisation: { order: 'id' },
  table_membership: { order: 'id' },
  processing_activity: { order: 'id' },
  covenant_version: { order: 'id' },
  covenant_grant: { order: 'id' },
  escalation_rule: { order: 'id' },
  subject: { order: 'id' },
  case_file: { order: 'id' },
  case_status_change: { order: 'id' },
  case_strategy: { order: 'id' },
  meeting: { order: 'id' },
  attendance: { order: 'meeting_id, organisation_id' },
  agenda_item: { order: 'id' },
  action: { order: 'id' },
  incident: { order: 'id' },
  measure: { order: 'id' },
  escalation: { order: 'id' },
  escalation_event: { order: 'escalation_id, id' },
  processing_log: { order: 'operation_id, data_subject_id', skip: ['id', 'xact_id'] },
  audit_log: { order: 'operation_id', skip: ['id', 'xact_id'] },
};

async function checksums(c: Client): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [table, { order, skip = [] }] of Object.entries(CHECKSUMMED)) {
    const { rows } = await c.query(
      `SELECT count(*) AS n, md5(coalesce(string_agg((to_jsonb(x) - $1::text[])::text, '|' ORDER BY ${order}), '')) AS sum FROM ${table} x`,
      [skip],
    );
    out[table] = `${rows[0].n}:${rows[0].sum}`;
  }
  return out;
}

describe('scale data (npm run seed:scale)', () => {
  let t: TestApp;
  let owner: Client;
  let counts: ScaleCounts;
  let schemaBefore: string;
  let demoTableId: string;
  /** The demo seed's own cases, there before the load. */
  let demoCases: string[];
  const one = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> => (await owner.query(sql, params)).rows[0] as T;

  beforeAll(async () => {
    // The benchmark's situation: migrations and the demo seed, then the scale data.
    t = await startTestApp();
    owner = await ownerClient(t.db);
    schemaBefore = (await one<{ schema: string }>(SCHEMA_SQL)).schema;
    ({ id: demoTableId } = await one<{ id: string }>(`SELECT id FROM chain_table WHERE name = 'LKO Harderwijk'`));
    demoCases = (await owner.query(`SELECT id FROM case_file`)).rows.map((r) => r.id);
    counts = await seedScale(owner, { cases: CASES, seed: 42, now: t.app.get(Clock).now(), pseudonymKey: t.config.PSEUDONYM_KEY });
  }, 120_000);
  afterAll(async () => {
    await owner?.end();
    await t?.close();
  });

  it('loads the cases asked for, in every status, with about 2 incidents, 1 action and 0.5 measures each', async () => {
    expect(counts.case_file).toBe(CASES);
    const byStatus = (await owner.query(`SELECT status, count(*)::int AS n FROM case_file WHERE id <> ALL($1) GROUP BY status`, [demoCases])).rows;
    expect(byStatus.map((r) => r.status).sort()).toEqual([...CASE_STATUSES].sort());
    expect(byStatus.reduce((s, r) => s + r.n, 0)).toBe(CASES);
    const ratios = await one<Record<string, number>>(
      `SELECT (SELECT count(*) FROM incident WHERE case_id <> ALL($2))::float / $1 AS incidents, (SELECT count(*) FROM action WHERE case_id <> ALL($2))::float / $1 AS actions,
              (SELECT count(*) FROM measure WHERE case_id <> ALL($2))::float / $1 AS measures`,
      [CASES, demoCases],
    );
    expect(ratios.incidents).toBeGreaterThan(1.85);
    expect(ratios.incidents).toBeLessThan(2.15);
    expect(ratios.actions).toBeGreaterThan(0.9);
    expect(ratios.actions).toBeLessThan(1.1);
    expect(ratios.measures).toBeGreaterThan(0.42);
    expect(ratios.measures).toBeLessThan(0.58);
    // What the function says it inserted is what the tables hold (the demo's own rows aside).
    expect(counts.incident).toBe(Math.round(ratios.incidents * CASES));
    expect(counts.action).toBe(Math.round(ratios.actions * CASES));
    expect(counts.meeting).toBeGreaterThan(2 * 250);
    expect(counts.agenda_item).toBeGreaterThan(CASES / 5);
    // Every kind of row the benchmark reads is there.
    for (const table of ['subject', 'case_status_change', 'case_strategy', 'attendance', 'escalation', 'escalation_event', 'processing_log', 'audit_log']) {
      expect([table, counts[table]]).toEqual([table, expect.any(Number)]);
      expect(counts[table]).toBeGreaterThan(0);
    }
  });

  it('spreads the cases over tables that each have a current covenant, a chair and their members, the demo table included', async () => {
    const tables = (
      await owner.query(
        `SELECT t.name, count(c.id)::int AS cases, t.current_covenant_version_id IS NOT NULL AS covenant,
                (SELECT count(*)::int FROM table_membership m WHERE m.table_id = t.id AND m.role = 'chair' AND m.ended_at IS NULL) AS chairs,
                (SELECT count(*)::int FROM table_member_organisation mo WHERE mo.table_id = t.id AND mo.left_at IS NULL) AS organisations,
                (SELECT count(*)::int FROM processing_activity a WHERE a.table_id = t.id) AS activities
           FROM chain_table t LEFT JOIN case_file c ON c.table_id = t.id GROUP BY t.id ORDER BY t.name`,
      )
    ).rows;
    // 3,000 cases make the minimum of two tables: the demo's and one more, half the cases each.
    expect(tables).toEqual([
      { name: 'LKO Harderwijk', cases: CASES / 2 + 4, covenant: true, chairs: 1, organisations: 7, activities: 9 },
      { name: 'LKO Schaal 01', cases: CASES / 2, covenant: true, chairs: 1, organisations: 7, activities: 9 },
    ]);
    const [grants] = (
      await owner.query(
        `SELECT count(*)::int AS n FROM covenant_grant g JOIN chain_table t ON t.current_covenant_version_id = g.covenant_version_id WHERE t.name = 'LKO Schaal 01'`,
      )
    ).rows;
    const [demoGrants] = (await owner.query(`SELECT count(*)::int AS n FROM covenant_grant g JOIN chain_table t ON t.current_covenant_version_id = g.covenant_version_id WHERE t.id = $1`, [demoTableId])).rows;
    expect(grants.n).toBe(demoGrants.n);
  });

  it('keeps the rows consistent with each other as the application would have written them', async () => {
    const bad = await one<Record<string, number>>(
      `SELECT
         -- the status history ends in the case's status, and closed cases (only they) have closed_at
         (SELECT count(*)::int FROM case_file c WHERE c.status <> (SELECT s.to_status FROM case_status_change s WHERE s.case_id = c.id ORDER BY s.changed_at DESC, s.id DESC LIMIT 1)) AS history,
         -- events carry their case's table (what the insert trigger sets) and lie within the case's life
         (SELECT count(*)::int FROM incident i JOIN case_file c ON c.id = i.case_id WHERE i.table_id <> c.table_id OR i.occurred_at < c.opened_at OR i.occurred_at > coalesce(c.closed_at, now())) AS incidents,
         (SELECT count(*)::int FROM action a JOIN case_file c ON c.id = a.case_id WHERE a.table_id <> c.table_id OR (a.status = 'done') <> (a.completed_at IS NOT NULL)) AS actions,
         (SELECT count(*)::int FROM measure m JOIN case_file c ON c.id = m.case_id WHERE m.table_id <> c.table_id OR m.subject_id IS NULL) AS measures,
         -- a closed case has no open action; references are PREFIX-YYYY-NNNN
         (SELECT count(*)::int FROM action a JOIN case_file c ON c.id = a.case_id WHERE c.status = 'closed' AND a.status = 'open') AS open_on_closed,
         (SELECT count(*)::int FROM case_file c JOIN chain_table t ON t.id = c.table_id WHERE c.reference !~ ('^' || t.case_reference_prefix || '-[0-9]{4}-[0-9]{4,}$')) AS references,
         -- an erased case's person holds no identity, and no case still open has an erased person
         (SELECT count(*)::int FROM case_file c JOIN subject s ON s.id = c.subject_id WHERE c.erased_at IS NOT NULL AND s.erased_at IS NULL) AS erased,
         (SELECT count(*)::int FROM case_file c JOIN subject s ON s.id = c.subject_id WHERE c.erased_at IS NULL AND s.erased_at IS NOT NULL) AS unerased`,
    );
    expect(bad).toEqual({ history: 0, incidents: 0, actions: 0, measures: 0, open_on_closed: 0, references: 0, erased: 0, unerased: 0 });
    // Some people have cases at both tables; some actions are overdue; some cases were erased after retention.
    expect(Number((await one(`SELECT count(*) AS n FROM (SELECT subject_id FROM case_file GROUP BY 1 HAVING count(DISTINCT table_id) > 1) x`)).n)).toBeGreaterThan(0);
    expect(Number((await one(`SELECT count(*) AS n FROM action WHERE status = 'open' AND due_date < current_date`)).n)).toBeGreaterThan(0);
    expect(Number((await one(`SELECT count(*) AS n FROM case_file WHERE erased_at IS NOT NULL`)).n)).toBeGreaterThan(0);
  });

  it('leaves every index, constraint and trigger as it found them', async () => {
    expect((await one<{ schema: string }>(SCHEMA_SQL)).schema).toBe(schemaBefore);
  });

  it('logs a read of each case under the keyed hash of its V-number, in logs that seal and verify', async () => {
    const reads = await one<{ n: number; audits: number }>(
      `SELECT (SELECT count(*)::int FROM processing_log WHERE operation_name = 'case.read') AS n,
              (SELECT count(*)::int FROM audit_log WHERE action = 'case.read' AND role = 'chair' AND purpose = 'case_discussion') AS audits`,
    );
    expect(reads).toEqual({ n: CASES, audits: CASES });
    // Shaped as the application writes them: W3C trace ids, one operation id shared by both logs.
    const misshapen = await one<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM processing_log WHERE trace_id !~ '^[0-9a-f]{32}$') AS traces,
              (SELECT count(*)::int FROM audit_log a WHERE a.trace_id !~ '^[0-9a-f]{32}$'
                  OR NOT EXISTS (SELECT 1 FROM processing_log p WHERE p.operation_id = a.operation_id AND p.trace_id = a.trace_id)) AS unlinked`,
    );
    expect(misshapen).toEqual({ traces: 0, unlinked: 0 });
    // The processing log holds the keyed hash the application computes (pseudonymise), never the V-number.
    const people = (await owner.query(`SELECT s.v_number FROM subject s WHERE s.v_number LIKE '1%' ORDER BY s.id LIMIT 50`)).rows.map((r) => r.v_number);
    expect(people).toHaveLength(50);
    const hashes = new Set((await owner.query(`SELECT data_subject_id FROM processing_log WHERE operation_name = 'case.read'`)).rows.map((r) => r.data_subject_id));
    for (const v of people) expect([v, hashes.has(pseudonymise(t.config.PSEUDONYM_KEY, v))]).toEqual([v, true]);
    // Each erasure by the retention sweep is logged, by the system.
    const erasures = await one<{ erased: number; logged: number; audited: number }>(
      `SELECT (SELECT count(*)::int FROM case_file WHERE erased_at IS NOT NULL) AS erased,
              (SELECT count(*)::int FROM processing_log WHERE operation_name = 'case.erase_by_retention') AS logged,
              (SELECT count(*)::int FROM audit_log WHERE action = 'case.erase_by_retention' AND actor_kind = 'system' AND purpose = 'retention') AS audited`,
    );
    expect(erasures.erased).toBeGreaterThan(0);
    expect(erasures).toEqual({ erased: erasures.erased, logged: erasures.erased, audited: erasures.erased });
    const verified = await sealAndVerifyLogs(t.app);
    expect(verified).toEqual({ processing_log: expect.objectContaining({ intact: true }), audit_log: expect.objectContaining({ intact: true }) });
  }, 60_000);

  it("lets the demo chair list the demo table's cases at scale and read one, and a generated chair log in and list theirs", async () => {
    const { accessToken } = await login(t, 'coa@demo.ketentafel.nl');
    const list = await t.http().get(`${API}/tables/${demoTableId}/cases`).query({ limit: 50 }).set(bearer(accessToken)).expect(200);
    expect(list.body.items).toHaveLength(50);
    const seeded = list.body.items.find((c: { id: string }) => !demoCases.includes(c.id));
    expect(seeded).toBeDefined();
    const read = await t.http().get(`${API}/cases/${seeded.id}`).set(bearer(accessToken)).expect(200);
    expect(read.body).toMatchObject({ id: seeded.id, reference: seeded.reference, subject: { vNumber: expect.stringMatching(/^\d{10}$/) } });

    const chair = await login(t, 'coa@schaal-01.example.nl', DEMO_PASSWORD);
    const { id: tableId } = await one<{ id: string }>(`SELECT id FROM chain_table WHERE name = 'LKO Schaal 01'`);
    const theirs = await t.http().get(`${API}/tables/${tableId}/cases`).query({ limit: 10 }).set(bearer(chair.accessToken)).expect(200);
    expect(theirs.body.items).toHaveLength(10);
    await t.http().get(`${API}/cases/${seeded.id}`).set(bearer(chair.accessToken)).expect(404);
  });

  describe('determinism', () => {
    const dbs: TestDatabase[] = [];
    const clients: Client[] = [];
    const now = new Date('2026-11-03T09:30:00Z');

    async function seeded(seed: number): Promise<Client> {
      const db = await createTestDatabase();
      dbs.push(db);
      const c = await ownerClient(db);
      clients.push(c);
      await seedScale(c, { cases: 1000, seed, now, pseudonymKey: db.config.PSEUDONYM_KEY });
      return c;
    }
    afterAll(async () => {
      for (const c of clients) await c.end();
      for (const db of dbs) await db.drop();
    });

    it('gives the same rows, ids included, for the same seed, other rows for another seed, and refuses to load twice', async () => {
      const a = await seeded(7);
      const b = await seeded(7);
      const c = await seeded(8);
      const [sumA, sumB, sumC] = [await checksums(a), await checksums(b), await checksums(c)];
      expect(sumB).toEqual(sumA);
      for (const table of ['subject', 'case_file', 'incident', 'action', 'measure', 'meeting', 'processing_log']) expect([table, sumC[table]]).not.toEqual([table, sumA[table]]);
      await expect(seedScale(a, { cases: 10, seed: 7, now })).rejects.toThrow(/already holds scale data/);
    }, 120_000);
  });
});
