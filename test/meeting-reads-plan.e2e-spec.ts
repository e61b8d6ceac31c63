import type { EntityManager } from 'typeorm';
import { ActionRepository } from '../src/actions/action.repository';
import { EscalationRepository } from '../src/escalations/escalation.repository';
import { givenAction, givenCase, givenEscalation, givenMeeting, givenTable } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/**
 * The session and the minutes read what was agreed, reviewed and proposed at a meeting by its id (issue 11,
 * found by the benchmark's sweep of every GET route at 1,000,000 cases: without an index each of these read
 * every action or escalation, 80 ms of the session's 86 ms). Sequential scans are priced out, as in
 * test/case-summary.e2e-spec.ts; then the meeting must be an index condition, not a filter on a whole-index scan.
 */
describe('the reads of a meeting', () => {
  let t: TestApp;
  const plans: { statement: string; plan: PlanNode }[] = [];

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    const table = await givenTable(t.dataSource);
    const meeting = await givenMeeting(t.dataSource, table);
    const c = await givenCase(t.dataSource, table);
    const action = await givenAction(t.dataSource, c.id, table.organisations.COA!);
    const escalation = await givenEscalation(t.dataSource, c.id, table.organisations.COA!);
    await t.dataSource.query(`UPDATE action SET meeting_id = $2 WHERE id = $1`, [action.id, meeting.id]);
    await t.dataSource.query(`UPDATE escalation SET meeting_id = $2 WHERE id = $1`, [escalation.id, meeting.id]);
    const actions = new ActionRepository();
    const escalations = new EscalationRepository();
    await t.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL enable_seqscan = off`);
      const explaining = (statement: string) =>
        ({
          query: async (sql: string | { text: string }, params: unknown[]) => {
            const text = typeof sql === 'string' ? sql : sql.text;
            const rows: { 'QUERY PLAN': { Plan: PlanNode }[] }[] = await m.query(`EXPLAIN (FORMAT JSON) ${text}`, params);
            plans.push({ statement, plan: rows[0]['QUERY PLAN'][0].Plan });
            return [];
          },
        }) as unknown as EntityManager;
      await actions.findAgreedAt(explaining('actions agreed'), meeting.id);
      await actions.findReviewsAt(explaining('reviews'), meeting.id);
      await escalations.findProposedAt(explaining('escalations proposed'), meeting.id);
    });
  });
  afterAll(() => t.close());

  it('finds the actions, reviews and escalations of a meeting by an index on the meeting', () => {
    expect(plans.map((p) => p.statement)).toEqual(['actions agreed', 'reviews', 'escalations proposed']);
    for (const { statement, plan } of plans) {
      const scans = nodes(plan).filter((n) => n['Relation Name']).map((n) => `${statement}: ${n['Relation Name']} ${n['Node Type']}`);
      expect(scans).not.toContainEqual(expect.stringMatching(/ Seq Scan$/));
      const byMeeting = nodes(plan).filter((n) => /\bmeeting_id = /.test(n['Index Cond'] ?? '')).map(() => statement);
      expect(byMeeting).toEqual([statement]);
    }
  });
});
