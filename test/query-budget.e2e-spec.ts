import type { Client } from 'pg';
import request from 'supertest';
import type { PgWireCounter } from '../bench/pg-wire-counter';
import { caseDetailProjection, casePageStatement } from '../src/cases/case.repository';
import { Clock } from '../src/common/clock';
import { versionStatement } from '../src/common/etag';
import { accessStatement } from '../src/sharing/access.service';
import { RESOURCES } from '../src/sharing/resources';
import { CountedApp, costOf, startCountedApp } from './support/wire';

/**
 * What the hot requests cost PostgreSQL (issue 11), counted on the wire by a relay in front of the server
 * (bench/pg-wire-counter.ts): whatever TypeORM or pg do, this is what the server receives.
 * - a case read: at most 3 round trips (it was 6: BEGIN, access, detail, two log INSERTs, COMMIT);
 * - a case list: at most 5 statements, the same for 5 as for 50 cases;
 * - both run as prepared (named) statements, and exactly the SQL the benchmark's bare handler runs;
 * - a page deep in the list reads its own rows only: the cursor is the index's range, not a filter.
 */
describe('query budget of the hot requests', () => {
  let t: CountedApp;
  let counter: PgWireCounter;
  let owner: Client;
  let token: string;
  let tableId: string;
  let caseId: string;
  let principal: Parameters<typeof accessStatement>[0];
  let today: string;

  const get = (path: string) => request(t.app.getHttpServer()).get(`/api/v1${path}`).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    t = await startCountedApp();
    ({ counter, owner, token } = t);
    today = t.app.get(Clock).today();
    const [row] = (
      await owner.query(
        `SELECT c.id AS case_id, c.table_id, u.id AS user_id, u.organisation_id, o.type
           FROM case_file c JOIN chain_table t ON t.id = c.table_id, app_user u JOIN organisation o ON o.id = u.organisation_id
          WHERE t.name = 'LKO Harderwijk' AND u.email = 'coa@demo.ketentafel.nl' ORDER BY c.reference LIMIT 1`,
      )
    ).rows;
    ({ case_id: caseId, table_id: tableId } = row);
    principal = { kind: 'user', id: row.user_id, organisationId: row.organisation_id, organisationType: row.type, roles: [], scopes: [] };
  });

  afterAll(() => t?.close());

  it('reads a case in at most 3 round trips, as prepared statements, with exactly the SQL the benchmark runs', async () => {
    counter.take();
    await get(`/cases/${caseId}`).expect(200);
    const first = counter.take();
    // The first read on a connection prepares its statements; these are the texts the bare handler runs.
    const read = accessStatement(principal, RESOURCES.case, 'c.id = $1', [caseId], { projection: caseDetailProjection(today) });
    expect(first.texts).toContain(read.text);
    expect(first.texts).toContain(versionStatement('case_file', caseId).text);
    expect(first.texts.some((t) => t.startsWith('WITH processing AS (') && t.includes('INSERT INTO audit_log'))).toBe(true);

    const cost = await costOf(counter, () => get(`/cases/${caseId}`).expect(200));
    expect(cost.roundTrips).toBeLessThanOrEqual(3);
    expect(cost.statements).toBeLessThanOrEqual(3);
    expect(cost.unnamedParses).toBe(0);
  });

  it('lists a page in at most 5 statements whatever its size, as prepared statements', async () => {
    await get(`/tables/${tableId}/cases?limit=5`).expect(200);
    const small = await costOf(counter, () => get(`/tables/${tableId}/cases?limit=2`).expect(200));
    const large = await costOf(counter, () => get(`/tables/${tableId}/cases?limit=50`).expect(200));
    expect(small.statements).toBeGreaterThan(0);
    expect(small.statements).toBeLessThanOrEqual(5);
    expect(large.statements).toBe(small.statements);
    expect(large.roundTrips).toBeLessThanOrEqual(5);
    expect(large.unnamedParses).toBe(0);
  });

  it('reads a page 2,000 cases deep through the index range, filtering no row before it', async () => {
    await owner.query(`
      WITH s AS (
        INSERT INTO subject (v_number) SELECT lpad((8100000000 + g)::text, 10, '0') FROM generate_series(1, 3000) g RETURNING id, v_number)
      INSERT INTO case_file (table_id, subject_id, reference, status, opened_at)
      SELECT $1, s.id, 'DEEP-' || s.v_number, 'active', now() - interval '1 hour' * (s.v_number::bigint - 8100000000) FROM s`, [tableId]);
    // Two actions per case, one open: enough that reading them all costs more than looking each case's up.
    await owner.query(
      `INSERT INTO action (case_id, owner_organisation_id, description, due_date, status, completed_at)
       SELECT c.id, $2, 'Deep', current_date + k, CASE WHEN k = 1 THEN 'open' ELSE 'done' END, CASE WHEN k = 2 THEN now() END
         FROM case_file c CROSS JOIN generate_series(1, 2) k WHERE c.table_id = $1 AND c.reference LIKE 'DEEP-%'`,
      [tableId, principal.organisationId],
    );
    await owner.query('ANALYZE');
    const [after] = (
      await owner.query(
        `SELECT to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS opened_at, id
           FROM case_file WHERE table_id = $1 ORDER BY opened_at DESC, id DESC OFFSET 2000 LIMIT 1`,
        [tableId],
      )
    ).rows;
    const page = casePageStatement(tableId, { incidentClassifications: ['nuisance'], after: { openedAt: after.opened_at, id: after.id } }, 51, today);
    const [plan] = (await owner.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${page.text}`, page.values)).rows[0]['QUERY PLAN'];
    const nodes: Record<string, unknown>[] = [];
    const walk = (n: Record<string, unknown>) => (nodes.push(n), ((n.Plans as Record<string, unknown>[]) ?? []).forEach(walk));
    walk(plan.Plan);
    const cases = nodes.filter((n) => n['Relation Name'] === 'case_file');
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ 'Node Type': 'Index Scan', 'Index Name': 'case_file_table_page_idx' });
    expect(String(cases[0]['Index Cond'])).toContain('opened_at');
    expect(cases[0]['Rows Removed by Filter'] ?? 0).toBe(0);
    expect(cases[0]['Actual Rows']).toBeLessThanOrEqual(51);
    // The action counts of each listed case come from an index, never a scan of every action.
    expect(nodes.filter((n) => n['Relation Name'] === 'action').map((n) => n['Node Type'])).not.toContain('Seq Scan');
  });
});
