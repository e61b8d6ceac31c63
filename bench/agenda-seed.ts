import type { ClientBase } from 'pg';
import { INCIDENT_KINDS } from '../src/cases/incident.entity';
import { MEASURE_TYPE_CODES } from '../src/cases/measure-catalogue';
import { ESCALATION_TRACKS } from '../src/escalations/escalation.entity';
import { NOMINATION_REASON_CODES } from '../src/meetings/agenda/nomination.dto';

export interface AgendaLoad {
  /** The table that gets the cases. */
  tableId: string;
  /** Any member organisation, recorded as the source, owner, imposer, requester or nominator of every row. */
  organisationId: string;
  /** Open cases (intake, active or monitoring): the cases a draft weighs. */
  activeCases: number;
  /** Incidents on those cases, recorded evenly over `months` months before `now`. */
  incidents: number;
  now: Date;
  /** How far back the incidents go; 6 by default. */
  months?: number;
  /** A meeting of the table whose agenda some cases are nominated for (1 in 20), if given. */
  meetingId?: string;
  /**
   * The number of the first case (1 by default): cases are numbered on from it, and their V-numbers and
   * references with them, so that a second load (another table, or more cases) adds to the first.
   */
  from?: number;
}

/**
 * Bulk load for the draft agenda benchmark, set-based (generate_series), as the database owner: `activeCases`
 * open cases at one table, each with its subject (1 in 100 restricted), 1 in 10 in intake and 1 in 5 in
 * monitoring, 1 in 7 with a passed review date; `incidents` incidents spread over them and recorded evenly
 * over the last `months` months (a tenth severe, three in ten offences); per case one done action and for
 * half of them an open one due between two weeks ago and a month ahead (so some overdue, some due before the
 * next meeting); a measure and a deadline for every other case; an escalation proposed for 1 in 20 cases and
 * one requested for another 1 in 20; and, with `meetingId`, a member's nomination for 1 in 20 cases.
 * Returns the number of rows per table. Random, but seeded, so every run loads the same data for the same `now`.
 */
export async function seedAgendaLoad(db: ClientBase, load: AgendaLoad): Promise<Record<string, number>> {
  const { tableId, organisationId, activeCases, incidents, now, months = 6, meetingId, from = 1 } = load;
  const counts: Record<string, number> = {};
  const run = async (name: string, sql: string, params: unknown[] = []) => {
    const res = await db.query(sql, params);
    counts[name] = (counts[name] ?? 0) + (res.rowCount ?? 0);
  };
  const today = `($1::timestamptz AT TIME ZONE 'Europe/Amsterdam')::date`;
  await db.query(`SELECT setseed(0.17)`);
  await db.query(`CREATE TEMP TABLE bench_agenda_case (n int PRIMARY KEY, id uuid, subject_id uuid, opened_at timestamptz) ON COMMIT PRESERVE ROWS`);
  await db.query(
    `INSERT INTO bench_agenda_case (n, id, subject_id, opened_at)
     SELECT g, gen_random_uuid(), gen_random_uuid(), $1::timestamptz - interval '1 day' * (30 + floor(random() * 700)) FROM generate_series($3::int, $3::int + $2 - 1) g`,
    [now, activeCases, from],
  );
  await run(
    'subject',
    `INSERT INTO subject (id, v_number, family_name, given_names, date_of_birth, nationality, restricted_at)
     SELECT subject_id, lpad((6100000000 + n)::text, 10, '0'), 'Agenda', 'A.', date '1985-01-01' + n % 9000, 'ERI',
            CASE WHEN n % 100 = 50 THEN $1::timestamptz END
       FROM bench_agenda_case`,
    [now],
  );
  await run(
    'case_file',
    `INSERT INTO case_file (id, table_id, subject_id, reference, status, risk_level, review_date, opened_at, created_at)
     SELECT id, $2, subject_id, 'AGENDA-' || lpad(n::text, 6, '0'),
            CASE WHEN n % 10 = 0 THEN 'intake' WHEN n % 5 = 1 THEN 'monitoring' ELSE 'active' END,
            (ARRAY['low','medium','high'])[1 + n % 3],
            CASE WHEN n % 7 = 0 THEN ${today} - (n % 30) ELSE ${today} + 14 + (n % 60) END,
            opened_at, opened_at
       FROM bench_agenda_case`,
    [now, tableId],
  );
  await run(
    'incident',
    `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, created_at)
     SELECT b.id, $2, (ARRAY[${INCIDENT_KINDS.map((k) => `'${k}'`).join(',')}])[1 + floor(random() * ${INCIDENT_KINDS.length})::int],
            CASE WHEN random() < 0.3 THEN 'offence' ELSE 'nuisance' END,
            CASE WHEN x.r < 0.1 THEN 'severe' WHEN x.r < 0.4 THEN 'serious' ELSE 'minor' END,
            x.at - interval '1 hour' * floor(random() * 48), x.at
       FROM generate_series(1, $3) g
       JOIN bench_agenda_case b ON b.n = $6::int + (g - 1) % $4
      CROSS JOIN LATERAL (SELECT $1::timestamptz - interval '1 month' * $5 * random() - interval '1 second' * (g % 7) AS at, random() AS r) x`,
    [now, organisationId, incidents, activeCases, months, from],
  );
  await run(
    'action',
    `INSERT INTO action (case_id, owner_organisation_id, description, due_date, status, completed_at, created_at)
     SELECT b.id, $2::uuid, 'Agenda bench', ${today} - 30 - b.n % 20, 'done', $1::timestamptz - interval '20 days', $1::timestamptz - interval '60 days'
       FROM bench_agenda_case b
     UNION ALL
     SELECT b.id, $2, 'Agenda bench', ${today} - 14 + b.n % 45, 'open', NULL, $1::timestamptz - interval '1 day' * (20 + b.n % 30)
       FROM bench_agenda_case b WHERE b.n % 2 = 0`,
    [now, organisationId],
  );
  await run(
    'measure',
    `INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at, status, created_at)
     SELECT b.id, (ARRAY[${MEASURE_TYPE_CODES.map((t) => `'${t}'`).join(',')}])[1 + b.n % ${MEASURE_TYPE_CODES.length}], $2, 'Bench',
            $1::timestamptz - interval '1 day' * (b.n % 90), 'active', $1::timestamptz - interval '1 day' * (b.n % 90)
       FROM bench_agenda_case b WHERE b.n % 2 = 1`,
    [now, organisationId],
  );
  await run(
    'case_deadline',
    `INSERT INTO case_deadline (case_id, kind, due_date, created_at)
     SELECT b.id, 'departure_period_end', ${today} + 10 + b.n % 80, $1::timestamptz - interval '30 days' FROM bench_agenda_case b WHERE b.n % 2 = 0`,
    [now],
  );
  const tracks = Object.entries(ESCALATION_TRACKS);
  await run(
    'escalation',
    `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, status, requested_at, response_due_date, reason, created_at)
     SELECT b.id, t.track, t.target, $2, CASE WHEN b.n % 20 = 3 THEN 'proposed' ELSE 'requested' END,
            CASE WHEN b.n % 20 = 4 THEN $1::timestamptz - interval '3 days' END, CASE WHEN b.n % 20 = 4 THEN ${today} + 7 END, 'Bench',
            $1::timestamptz - interval '3 days'
       FROM bench_agenda_case b
      CROSS JOIN LATERAL (SELECT (ARRAY[${tracks.map(([k]) => `'${k}'`).join(',')}])[1 + b.n % ${tracks.length}] AS track) k
      CROSS JOIN LATERAL (SELECT k.track, (CASE k.track ${tracks.map(([k, v]) => `WHEN '${k}' THEN '${v}'`).join(' ')} END) AS target) t
      WHERE b.n % 20 IN (3, 4)`,
    [now, organisationId],
  );
  if (meetingId) {
    await run(
      'nomination',
      `INSERT INTO nomination (table_id, meeting_id, case_id, reason_code, reason_text, source, organisation_id, created_at)
       SELECT $1, $2, b.id, (ARRAY[${NOMINATION_REASON_CODES.map((c) => `'${c}'`).join(',')}])[1 + b.n % ${NOMINATION_REASON_CODES.length}], 'Bench', 'member', $3,
              $4::timestamptz - interval '1 day'
         FROM bench_agenda_case b WHERE b.n % 20 = 5`,
      [tableId, meetingId, organisationId, now],
    );
  }
  await db.query(`DROP TABLE bench_agenda_case`);
  return counts;
}
