import type { EntityManager } from 'typeorm';
import { CaseRepository } from '../src/cases/case.repository';
import { amsterdamDate } from '../src/common/working-days';
import { AgendaRepository } from '../src/meetings/agenda/agenda.repository';
import { MeetingRepository } from '../src/meetings/meeting.repository';
import { givenAction, givenAgendaItem, givenCase, givenMeeting, givenTable } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan, sub-plans (correlated subqueries, laterals) included. */
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/**
 * The case summary (case, subject, open and overdue action counts) is read by the case list, the case
 * detail, the search by V-number, the agenda and the session. Its action counts must come from an index:
 * a count that scans `action` runs once per listed case (measured 6–8 s per list page at 1M cases).
 */
describe('the case summary query', () => {
  let t: TestApp;
  const plans: { statement: string; plan: PlanNode }[] = [];

  /**
   * A manager that EXPLAINs instead of running, so the repositories' own statements are the ones examined.
   * A test database is too small for the planner to prefer an index, so sequential scans are priced out:
   * a Seq Scan that is still chosen means no index can serve the query.
   */
  async function explainEach(statements: Record<string, (m: EntityManager) => Promise<unknown>>) {
    await t.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL enable_seqscan = off`);
      for (const [statement, run] of Object.entries(statements)) {
        const explaining = {
          // A prepared statement (src/db/prepared.ts) comes as pg's query config { name, text }.
          query: async (sql: string | { text: string }, params: unknown[]) => {
            const text = typeof sql === 'string' ? sql : sql.text;
            const rows: { 'QUERY PLAN': { Plan: PlanNode }[] }[] = await m.query(`EXPLAIN (FORMAT JSON) ${text}`, params);
            plans.push({ statement, plan: rows[0]['QUERY PLAN'][0].Plan });
            return rows;
          },
        } as unknown as EntityManager;
        await run(explaining);
      }
    });
  }

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    const table = await givenTable(t.dataSource);
    const meeting = await givenMeeting(t.dataSource, table);
    const caseIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await givenCase(t.dataSource, table);
      caseIds.push(c.id);
      await givenAgendaItem(t.dataSource, meeting.id, { caseId: c.id });
      await givenAction(t.dataSource, c.id, table.organisations.COA!);
      await givenAction(t.dataSource, c.id, table.organisations.POLICE!, { status: 'done' });
    }
    await t.dataSource.query('ANALYZE action');
    const cases = new CaseRepository();
    const agenda = new AgendaRepository(new MeetingRepository());
    const [{ v_number: vNumber }] = await t.dataSource.query(`SELECT s.v_number FROM case_file c JOIN subject s ON s.id = c.subject_id WHERE c.id = $1`, [caseIds[0]]);
    const now = new Date();
    const today = amsterdamDate(now);
    await explainEach({
      'case list page': (m) => cases.findPage(m, table.id, { incidentClassifications: [], hasOverdueActions: true }, 50, today),
      'case detail': (m) => cases.findDetail(m, caseIds[0], today),
      'search by V-number': (m) => cases.findByVNumber(m, vNumber, [table.id], today),
      'session summaries': (m) => cases.findSummaries(m, table.id, caseIds, today),
      agenda: (m) => agenda.findAgenda(m, meeting.id, now),
    });
  });
  afterAll(() => t.close());

  it('is explained for every statement that reads it', () => {
    expect(plans.map((p) => p.statement)).toEqual(['case list page', 'case detail', 'search by V-number', 'session summaries', 'agenda']);
    for (const { plan } of plans) expect(nodes(plan).some((n) => n['Relation Name'] === 'action')).toBe(true);
  });

  it('reads action through an index in each, never by a sequential scan', () => {
    for (const { statement, plan } of plans) {
      const scans = nodes(plan).filter((n) => n['Relation Name'] === 'action').map((n) => `${statement}: ${n['Node Type']}`);
      expect(scans).not.toContainEqual(expect.stringMatching(/: Seq Scan$/));
      expect(scans.length).toBeGreaterThan(0);
    }
  });
});
