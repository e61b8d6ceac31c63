import type { Client } from 'pg';
import request from 'supertest';
import type { PgWireCounter } from '../bench/pg-wire-counter';
import { seedAgendaLoad } from '../bench/agenda-seed';
import { CountedApp, costOf, startCountedApp } from './support/wire';

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

/** Every node of a JSON plan, the root first. */
function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/** The rows a plan node looked at: those it returned and those it filtered out, over all its loops. */
const rowsRead = (n: PlanNode) =>
  ((n['Actual Rows'] as number) + ((n['Rows Removed by Filter'] as number) ?? 0) + ((n['Rows Removed by Index Recheck'] as number) ?? 0)) *
  (n['Actual Loops'] as number);

/**
 * What the draft agenda costs PostgreSQL (issue 11: "draft agenda, 500 active cases / 20k incidents", found at
 * 16 statements and a scan of every incident), counted on the wire by a relay in front of the server
 * (bench/pg-wire-counter.ts):
 * - the same few statements and round trips whatever the number of cases, all prepared;
 * - every statement that reads, as the server received it and with its own parameters, EXPLAINed while another
 *   table holds thousands of rows: none scans `incident`, `action`, `case_file` or `subject`; none reads more incidents
 *   than the table's new ones (the index's range on when they were recorded, not every incident of each case),
 *   or more cases than the table has open. Which index finds the open actions due is the planner's choice: a
 *   range of the due dates of all tables here, a look-up per open case at scale.
 */
describe('query budget of the draft agenda', () => {
  let t: CountedApp;
  let counter: PgWireCounter;
  let owner: Client;
  let token: string;
  let tableId: string;
  let organisationId: string;
  let meetingId: string;
  let now: Date;

  const draft = () => request(t.app.getHttpServer()).post(`/api/v1/meetings/${meetingId}/agenda/_draft`).set('Authorization', `Bearer ${token}`).expect(200);

  beforeAll(async () => {
    t = await startCountedApp();
    ({ counter, owner, token, now } = t);
    const [row] = (
      await owner.query(
        `SELECT t.id AS table_id, o.id AS organisation_id,
                (SELECT id FROM meeting m WHERE m.table_id = t.id AND m.status = 'planned' ORDER BY m.scheduled_at LIMIT 1) AS meeting_id
           FROM chain_table t, organisation o WHERE t.name = 'LKO Harderwijk' AND o.name = 'COA azc Harderwijk'`,
      )
    ).rows;
    ({ table_id: tableId, organisation_id: organisationId, meeting_id: meetingId } = row);
  });

  afterAll(() => t?.close());

  it('drafts in the same 8 statements and round trips for 10 cases as for 60, all prepared', async () => {
    await seedAgendaLoad(owner, { tableId, organisationId, activeCases: 10, incidents: 100, now, meetingId });
    await owner.query('ANALYZE');
    await draft();
    const ten = await costOf(counter, draft);
    const items10 = (await draft()).body.itemCount;

    await seedAgendaLoad(owner, { tableId, organisationId, activeCases: 50, incidents: 500, now, meetingId, from: 11 });
    await owner.query('ANALYZE');
    await draft();
    const sixty = await costOf(counter, draft);
    expect((await draft()).body.itemCount).toBeGreaterThan(items10 + 20);

    expect(ten.statements).toBeGreaterThan(0);
    expect(ten.statements).toBeLessThanOrEqual(8);
    expect(sixty.statements).toBe(ten.statements);
    expect(sixty.roundTrips).toBeLessThanOrEqual(8);
    expect(sixty.unnamedParses).toBe(0);
  });

  it('reads only what the table has open and new, through indexes, while another table holds thousands of rows', async () => {
    // Another table with 10,000 open cases, 30,000 incidents and their actions: what a draft of this table must not read.
    const [other] = (
      await owner.query(
        `INSERT INTO chain_table (name, coa_location, municipality_code, cadence_rrule, case_reference_prefix)
         VALUES ('LKO Elders', 'azc Elders', 'GM0363', 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0', 'ELD') RETURNING id`,
      )
    ).rows;
    await seedAgendaLoad(owner, { tableId: other.id, organisationId, activeCases: 10_000, incidents: 30_000, now, from: 100_001 });
    // And this table's history: 1,000 closed cases with their incidents.
    await seedAgendaLoad(owner, { tableId, organisationId, activeCases: 1000, incidents: 4000, now, from: 200_001 });
    await owner.query(`UPDATE case_file SET status = 'closed', closed_at = $2 WHERE table_id = $1 AND reference >= 'AGENDA-200001'`, [tableId, now]);
    await owner.query('VACUUM ANALYZE');

    await draft();
    counter.take();
    await draft();
    const { executed } = counter.take();
    // The statements that only read (a write would be executed by EXPLAIN ANALYZE, even rolled back it would conflict).
    const reads = executed.filter((s) => s.text.trim() && !/\b(INSERT INTO|UPDATE|DELETE FROM|START TRANSACTION|COMMIT)\b/i.test(s.text));
    expect(reads.some((s) => /\bFROM incident\b/.test(s.text))).toBe(true);

    const [bound] = (
      await owner.query(
        `WITH oc AS (SELECT c.id FROM case_file c WHERE c.table_id = $1 AND c.status <> 'closed')
         SELECT (SELECT count(*) FROM oc)::int AS cases,
                (SELECT count(*) FROM incident i WHERE i.case_id IN (SELECT id FROM oc)
                    AND i.created_at > (SELECT max(closed_at) FROM meeting WHERE table_id = $1 AND status = 'closed'))::int AS new_incidents,
                (SELECT count(*) FROM incident i WHERE i.case_id IN (SELECT id FROM oc))::int AS incidents`,
        [tableId],
      )
    ).rows;
    // The load is what the finding describes: most of the table's incidents are old, and the other table is far larger.
    expect(bound.new_incidents * 5).toBeLessThan(bound.incidents);
    const limits: Record<string, number> = { incident: bound.new_incidents, case_file: bound.cases };

    for (const statement of reads) {
      await owner.query('BEGIN');
      try {
        const [{ 'QUERY PLAN': [plan] }] = (await owner.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`, statement.values)).rows;
        for (const node of nodesOf(plan.Plan)) {
          const relation = node['Relation Name'] as string | undefined;
          if (!relation || !['incident', 'action', 'case_file', 'subject'].includes(relation)) continue;
          const where = `${relation} in: ${statement.text.replace(/\s+/g, ' ').slice(0, 80)}`;
          expect({ where, node: node['Node Type'] }).not.toEqual({ where, node: 'Seq Scan' });
          if (relation in limits) expect({ where, rows: rowsRead(node), atMost: limits[relation] }).toEqual({ where, rows: Math.min(rowsRead(node), limits[relation]), atMost: limits[relation] });
        }
      } finally {
        await owner.query('ROLLBACK');
      }
    }
  });
});
