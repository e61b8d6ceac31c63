import type { ClientBase } from 'pg';
import { INCIDENT_KINDS } from '../src/cases/incident.entity';
import { MEASURE_TYPE_CODES } from '../src/cases/measure-catalogue';
import { ESCALATION_TRACKS } from '../src/escalations/escalation.entity';

export interface StatisticsLoad {
  /** The table that gets the cases. */
  tableId: string;
  /** A table in another municipality that some cases move to, and some come from (the transfer path). */
  otherTableId: string;
  /** Any organisation, recorded as the source, owner or requester of every row. */
  organisationId: string;
  cases: number;
  /** Cases are opened evenly over this many quarters before `now`. */
  quarters: number;
  now: Date;
}

/**
 * Bulk load for the statistics benchmark, set-based (generate_series), as the database owner: `cases` cases
 * at one table opened evenly over `quarters` quarters before `now`, each with its subject, and in proportion
 * about 2.5 incidents, 1 measure, 2 actions and 0.2 escalations per case (a quarter of the escalations for
 * IND priority, half of those decided); 1 % of the cases moved to another table during their life and 1 %
 * came from it. Returns the number of rows per table. Random, but seeded, so every run loads the same data.
 */
export async function seedStatisticsLoad(db: ClientBase, load: StatisticsLoad): Promise<Record<string, number>> {
  const { tableId, otherTableId, organisationId, cases, quarters, now } = load;
  const span = `(interval '3 months' * ${quarters})`;
  const counts: Record<string, number> = {};
  const run = async (name: string, sql: string, params: unknown[] = []) => {
    const res = await db.query(sql, params);
    counts[name] = (counts[name] ?? 0) + (res.rowCount ?? 0);
  };
  await db.query(`SELECT setseed(0.42)`);
  await db.query(`CREATE TEMP TABLE bench_case (n int PRIMARY KEY, id uuid, subject_id uuid, opened_at timestamptz, closed_at timestamptz) ON COMMIT PRESERVE ROWS`);
  await db.query(
    `INSERT INTO bench_case (n, id, subject_id, opened_at)
     SELECT g, gen_random_uuid(), gen_random_uuid(), $1::timestamptz - ${span} * (g - 0.5) / $2 FROM generate_series(1, $2) g`,
    [now, cases],
  );
  // Six in ten cases closed, 10 to 300 days after opening (if that is before now).
  await db.query(`UPDATE bench_case SET closed_at = opened_at + interval '1 day' * (10 + floor(random() * 290)) WHERE random() < 0.6`);
  await db.query(`UPDATE bench_case SET closed_at = NULL WHERE closed_at >= $1`, [now]);
  await run(
    'subject',
    `INSERT INTO subject (id, v_number, family_name, given_names, date_of_birth, nationality)
     SELECT subject_id, lpad((7000000000 + n)::text, 10, '0'), 'Bench', 'B.', date '1985-01-01' + n % 9000, 'ERI' FROM bench_case`,
  );
  await run(
    'case_file',
    `INSERT INTO case_file (id, table_id, subject_id, reference, status, opened_at, closed_at, created_at)
     SELECT id, $1, subject_id, 'BENCH-' || n, CASE WHEN closed_at IS NULL THEN 'active' ELSE 'closed' END, opened_at, closed_at, opened_at FROM bench_case`,
    [tableId],
  );
  // How long each case has run (until closed or now), for placing its events within its life.
  const life = `(coalesce(b.closed_at, $1::timestamptz) - b.opened_at)`;
  await run(
    'incident',
    `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, created_at)
     SELECT b.id, $2, (ARRAY[${INCIDENT_KINDS.map((k) => `'${k}'`).join(',')}])[1 + floor(random() * ${INCIDENT_KINDS.length})::int],
            CASE WHEN random() < 0.3 THEN 'offence' ELSE 'nuisance' END,
            (ARRAY['minor','minor','serious','severe'])[1 + floor(random() * 4)::int],
            x.at, x.at
       FROM bench_case b CROSS JOIN LATERAL generate_series(1, (b.n % 6)) k
      CROSS JOIN LATERAL (SELECT b.opened_at + ${life} * random() AS at) x`,
    [now, organisationId],
  );
  await run(
    'measure',
    `INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at, status, created_at)
     SELECT b.id, (ARRAY[${MEASURE_TYPE_CODES.map((t) => `'${t}'`).join(',')}])[1 + floor(random() * ${MEASURE_TYPE_CODES.length})::int], $2, 'Bench',
            x.at, CASE WHEN random() < 0.5 THEN 'active' ELSE 'ended' END, x.at
       FROM bench_case b CROSS JOIN LATERAL generate_series(1, (b.n % 3)) k
      CROSS JOIN LATERAL (SELECT b.opened_at + ${life} * random() AS at) x`,
    [now, organisationId],
  );
  await run(
    'action',
    `INSERT INTO action (case_id, owner_organisation_id, description, due_date, status, completed_at, not_acted_on_count, created_at)
     SELECT b.id, $2, 'Bench', (x.made + interval '1 day' * (7 + floor(random() * 60)))::date,
            CASE WHEN x.r < 0.7 THEN 'done' WHEN x.r < 0.8 THEN 'cancelled' ELSE 'open' END,
            CASE WHEN x.r < 0.7 THEN x.made + interval '1 day' * (5 + floor(random() * 70)) END,
            CASE WHEN random() < 0.1 THEN 1 ELSE 0 END, x.made
       FROM bench_case b CROSS JOIN LATERAL generate_series(1, 1 + (b.n % 2) * 2) k
      CROSS JOIN LATERAL (SELECT b.opened_at + ${life} * random() AS made, random() AS r) x`,
    [now, organisationId],
  );
  const tracks = Object.keys(ESCALATION_TRACKS);
  await run(
    'escalation',
    `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, status, requested_at, response_due_date, created_at)
     SELECT b.id, t.track, t.target, $2, (ARRAY['requested','accepted','rejected','completed','withdrawn'])[1 + floor(random() * 5)::int],
            x.at, (x.at + interval '10 days')::date, x.at
       FROM bench_case b
      CROSS JOIN LATERAL (SELECT b.opened_at + ${life} * random() AS at) x
      CROSS JOIN LATERAL (SELECT CASE WHEN b.n % 20 = 0 THEN 'ind_priority' ELSE (ARRAY[${tracks.map((t) => `'${t}'`).join(',')}])[1 + (b.n / 5) % ${tracks.length}] END AS track) k
      CROSS JOIN LATERAL (SELECT k.track, (${`CASE k.track ${Object.entries(ESCALATION_TRACKS).map(([k, v]) => `WHEN '${k}' THEN '${v}'`).join(' ')} END`}) AS target) t
      WHERE b.n % 5 = 0`,
    [now, organisationId],
  );
  await run(
    'ind_decision',
    `INSERT INTO ind_decision (case_id, outcome, decided_on, recorded_by_organisation_id, created_at)
     SELECT e.case_id, CASE WHEN random() < 0.8 THEN 'negative' ELSE 'positive' END, (e.requested_at + interval '20 days')::date, $1, e.requested_at + interval '20 days'
       FROM escalation e JOIN bench_case b ON b.id = e.case_id WHERE e.track = 'ind_priority' AND random() < 0.5 AND e.requested_at + interval '20 days' < $2`,
    [organisationId, now],
  );
  // Moved away halfway through their life (1 %), and moved in from the other table halfway through theirs (1 %).
  await run(
    'case_transfer',
    `INSERT INTO case_transfer (case_id, from_table_id, to_table_id, reason, transferred_at)
     SELECT b.id, CASE WHEN b.n % 100 = 7 THEN $1::uuid ELSE $2::uuid END, CASE WHEN b.n % 100 = 7 THEN $2::uuid ELSE $1::uuid END, 'Bench',
            b.opened_at + (coalesce(b.closed_at, $3::timestamptz) - b.opened_at) / 2
       FROM bench_case b WHERE b.n % 100 IN (7, 8)`,
    [tableId, otherTableId, now],
  );
  await db.query(`UPDATE case_file c SET table_id = $1 FROM bench_case b WHERE b.id = c.id AND b.n % 100 = 7`, [otherTableId]);
  // The insert trigger placed every event at its case's table at the time of the load; a moved case's events
  // belong to the table it was at when they were recorded (each moved case moved once).
  for (const table of ['incident', 'measure', 'action', 'escalation']) {
    await db.query(
      `UPDATE ${table} x SET table_id = CASE WHEN x.created_at >= t.transferred_at THEN t.to_table_id ELSE t.from_table_id END
         FROM case_transfer t JOIN bench_case b ON b.id = t.case_id WHERE t.case_id = x.case_id`,
    );
  }
  await db.query(`DROP TABLE bench_case`);
  return counts;
}
