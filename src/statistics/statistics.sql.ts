/**
 * The one statement behind the statistics, shared by the application and the benchmark's bare handler.
 *
 * It reads no personal data into its answer: no table of identity (subject) is joined, no free text, place
 * or date of an event is selected; `subject_id` (a surrogate key) is only counted distinctly, to know how
 * many people stand behind a figure. It answers counts per table, figure and breakdown key (a
 * municipality's are their sums), and people and medians per table and, when there are several tables,
 * over all of them together (those cannot be added up).
 *
 * Where an event counts: an incident, measure, action or escalation at the table its case was at when it
 * was recorded (`table_id`, copied from the case by a trigger on insert, migration 1764001200000), so a
 * transfer leaves the history at the old table; a case's opening and closing at the table it was at then
 * (the few cases that moved are placed through `case_transfer`).
 *
 * Parameters:
 *  $1 uuid[]      the tables (all tables of one municipality);
 *  $2 date        the quarter's first day; $3 date the day after its last (both midnight in Europe/Amsterdam);
 *  $4 timestamptz "now" (the Clock's), the reference date: nothing after it is counted, and states (an
 *                 escalation's outcome, an action's result) are as they stand then;
 *  $5 text[]      the measure types of the catalogue (a type outside it has no label and is not counted);
 *  $6 boolean     whether there are several tables (only then are people and medians also taken over all of them).
 */

const AMS = `'Europe/Amsterdam'`;
const dateIn = (instant: string) => `(${instant} AT TIME ZONE ${AMS})::date`;
/** The period's bounds, written out where they are used (not in a CTE) so that they are index conditions. */
const FROM = `(($2::date)::timestamp AT TIME ZONE ${AMS})`;
const UNTIL = `least(($3::date)::timestamp AT TIME ZONE ${AMS}, $4::timestamptz)`;
const within = (instant: string) => `${instant} >= ${FROM} AND ${instant} < ${UNTIL}`;
/** Actions count by due date, up to and including the reference date. */
const DUE_WITHIN = (a: string) => `${a}.due_date >= $2::date AND ${a}.due_date < least($3::date, ${dateIn('$4::timestamptz')} + 1)`;
/** Measures that count: imposed (not only planned), of a type in the catalogue. */
const COUNTED_MEASURE = (m: string) => `${m}.status <> 'planned' AND ${m}.type = ANY($5::text[])`;
/** The table a case that moved was at at `at`: the one it was transferred to last before, else the one it came from. */
const tableOfMoved = (caseId: string, at: string) => `coalesce(
           (SELECT x.to_table_id FROM case_transfer x WHERE x.case_id = ${caseId} AND x.transferred_at <= ${at} ORDER BY x.transferred_at DESC, x.id DESC LIMIT 1),
           (SELECT x.from_table_id FROM case_transfer x WHERE x.case_id = ${caseId} ORDER BY x.transferred_at, x.id LIMIT 1))`;

/**
 * Of a case opened in the quarter, the days (Amsterdam dates) from its opening to its first measure since, if it
 * had one by the reference date; found through the case's measures index.
 */
const DAYS_TO_FIRST_MEASURE = (c: string) => `(SELECT ${dateIn('p.starts_at')} - ${dateIn(`${c}.opened_at`)} FROM measure p
          WHERE p.case_id = ${c}.id AND p.starts_at >= ${c}.opened_at AND p.starts_at < $4::timestamptz AND ${COUNTED_MEASURE('p')}
          ORDER BY p.starts_at LIMIT 1)`;

/** The figures whose breakdowns need the number of people behind their total. */
const WITH_POPULATION = `('incidents', 'measures', 'escalations', 'actions')`;

/**
 * Every event of the quarter as (figure, breakdown key, table, subject, days), each found through an index
 * on its table and instant.
 */
const EVENTS = [
  `SELECT 'cases_opened' AS figure, NULL::text AS key, c.table_id, c.subject_id, ${DAYS_TO_FIRST_MEASURE('c')} AS days
     FROM case_file c WHERE c.table_id = ANY($1::uuid[]) AND ${within('c.opened_at')} AND c.id NOT IN (SELECT case_id FROM moved)`,
  `SELECT 'cases_closed', NULL, c.table_id, c.subject_id, ${dateIn('c.closed_at')} - ${dateIn('c.opened_at')}
     FROM case_file c WHERE c.table_id = ANY($1::uuid[]) AND ${within('c.closed_at')} AND c.id NOT IN (SELECT case_id FROM moved)`,
  `SELECT v.figure, NULL, ${tableOfMoved('c.id', 'v.at')}, c.subject_id, v.days
     FROM moved CROSS JOIN LATERAL (SELECT * FROM case_file c WHERE c.id = moved.case_id OFFSET 0) c
    CROSS JOIN LATERAL (VALUES ('cases_opened', c.opened_at, CASE WHEN ${within('c.opened_at')} THEN ${DAYS_TO_FIRST_MEASURE('c')} END),
                               ('cases_closed', c.closed_at, ${dateIn('c.closed_at')} - ${dateIn('c.opened_at')})) v(figure, at, days)
    WHERE ${within('v.at')}`,
  // Kind and classification together: the report adds up each breakdown.
  `SELECT 'incidents', i.kind || ':' || i.classification, i.table_id, i.subject_id, NULL
     FROM incident i WHERE i.table_id = ANY($1::uuid[]) AND ${within('i.occurred_at')}`,
  `SELECT 'measures', m.type, m.table_id, m.subject_id, NULL
     FROM measure m WHERE m.table_id = ANY($1::uuid[]) AND ${within('m.starts_at')} AND ${COUNTED_MEASURE('m')}`,
  // The outcome is the escalation's status now; a requested escalation is not `proposed` again, but were one, it awaits an answer.
  `SELECT 'escalations', e.track || ':' || CASE e.status WHEN 'proposed' THEN 'requested' ELSE e.status END, e.table_id, e.subject_id, NULL
     FROM escalation e WHERE e.table_id = ANY($1::uuid[]) AND ${within('e.requested_at')}`,
  // IND priority is decided when the IND decided on the application since the request (by the reference date).
  `SELECT 'ind_priority_decided', NULL, e.table_id, e.subject_id, NULL
     FROM escalation e
    WHERE e.table_id = ANY($1::uuid[]) AND ${within('e.requested_at')} AND e.track = 'ind_priority'
      AND EXISTS (SELECT 1 FROM ind_decision d WHERE d.case_id = e.case_id AND d.decided_on >= ${dateIn('e.requested_at')} AND d.decided_on <= ${dateIn('$4::timestamptz')})`,
  // On time: completed on or before the due date (in Amsterdam). (Two scans: cheaper than a LATERAL per action.)
  `SELECT 'actions', CASE WHEN a.status = 'done' AND ${dateIn('a.completed_at')} <= a.due_date THEN 'completed_on_time'
                          WHEN a.status = 'done' THEN 'completed_late'
                          WHEN a.status = 'cancelled' THEN 'cancelled'
                          ELSE 'open' END, a.table_id, a.subject_id, NULL
     FROM action a WHERE a.table_id = ANY($1::uuid[]) AND ${DUE_WITHIN('a')}`,
  `SELECT 'actions_not_acted_on', NULL, a.table_id, a.subject_id, NULL
     FROM action a WHERE a.table_id = ANY($1::uuid[]) AND ${DUE_WITHIN('a')} AND a.not_acted_on_count > 0`,
];

export const STATISTICS_SQL = `
WITH moved AS MATERIALIZED (
  SELECT DISTINCT case_id FROM case_transfer WHERE from_table_id = ANY($1::uuid[]) OR to_table_id = ANY($1::uuid[])
),
event AS MATERIALIZED (
  SELECT * FROM (
  ${EVENTS.join('\n  UNION ALL\n  ')}) e
   WHERE e.table_id = ANY($1::uuid[])
),
-- Days to closing of the cases closed in the quarter; days to the first measure of the cases opened in it.
median_basis AS MATERIALIZED (
  SELECT CASE figure WHEN 'cases_opened' THEN 'first_measure' ELSE figure END AS figure, table_id, days
    FROM event WHERE figure IN ('cases_closed', 'cases_opened') AND days IS NOT NULL
)
SELECT 'count' AS part, e.table_id, e.figure, e.key, count(*)::float8 AS value
  FROM event e GROUP BY e.table_id, e.figure, e.key
UNION ALL
-- The people behind each breakdown's total, and behind each escalation track's: per table, and over all tables
-- only when there are several ($6; with one, they are the table's). One row per person first (hashed), then counted.
SELECT 'persons', p.table_id, p.population, NULL, count(*)::float8
  FROM (SELECT e.figure AS population, e.table_id, e.subject_id FROM event e
         WHERE e.figure IN ${WITH_POPULATION} GROUP BY 1, 2, 3
        UNION ALL
        SELECT 'escalations:' || split_part(e.key, ':', 1), e.table_id, e.subject_id FROM event e
         WHERE e.figure = 'escalations' GROUP BY 1, 2, 3
        UNION ALL
        SELECT e.figure, NULL::uuid, e.subject_id FROM event e
         WHERE $6::boolean AND e.figure IN ${WITH_POPULATION} GROUP BY 1, 2, 3
        UNION ALL
        SELECT 'escalations:' || split_part(e.key, ':', 1), NULL::uuid, e.subject_id FROM event e
         WHERE $6::boolean AND e.figure = 'escalations' GROUP BY 1, 2, 3) p
 GROUP BY p.population, p.table_id
UNION ALL
SELECT 'median', m.table_id, m.figure, NULL, percentile_cont(0.5) WITHIN GROUP (ORDER BY m.days)
  FROM median_basis m GROUP BY m.figure, m.table_id
UNION ALL
SELECT 'median', NULL::uuid, m.figure, NULL, percentile_cont(0.5) WITHIN GROUP (ORDER BY m.days)
  FROM median_basis m WHERE $6::boolean GROUP BY m.figure
UNION ALL
SELECT 'median_cases', m.table_id, m.figure, NULL, count(*)::float8
  FROM median_basis m GROUP BY m.figure, m.table_id
UNION ALL
SELECT 'median_cases', NULL::uuid, m.figure, NULL, count(*)::float8
  FROM median_basis m WHERE $6::boolean GROUP BY m.figure`;

/**
 * A row of STATISTICS_SQL: `count` of events per table, figure and key (a municipality's are the sums);
 * `persons` behind a breakdown; `median` days and the number of cases it is over (`median_cases`), per
 * table and, with `table_id` null, over all tables (only when there are several).
 */
export interface StatisticsRow {
  part: 'count' | 'persons' | 'median' | 'median_cases';
  table_id: string | null;
  figure: string;
  key: string | null;
  value: number | null;
}

/** The parameters of STATISTICS_SQL, in order. */
export const statisticsParams = (tableIds: string[], from: string, until: string, asOf: Date, measureTypes: readonly string[]) => [
  tableIds,
  from,
  until,
  asOf,
  measureTypes,
  tableIds.length > 1,
];

/**
 * Settings for the statement's transaction (`SET LOCAL`): working memory for its sorts and hashes (the default
 * 4 MB makes a busy quarter spill to disk), and no JIT compilation, which the planner starts for a statement
 * this size and which costs more (about 200 ms here) than the whole statement.
 */
export const STATISTICS_SETTINGS = `SET LOCAL work_mem = '32MB'; SET LOCAL jit = off`;
