import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The draft agenda looks up, for each open case of a table, the incidents recorded since the table's last
 * meeting (by `created_at`: a push a day late is still news). The only index on the case, (case_id,
 * occurred_at DESC), orders by when an incident happened, so the planner read the whole `incident` table
 * instead (a sequential scan: 20,000 rows for a table with 500 open cases, every row of every table at scale).
 * This index finds a case's new incidents as a range, and holds the columns the draft reads, so a vacuumed
 * table answers from the index alone.
 */
export class AddIncidentCaseRecordedIndex1765000200000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX incident_case_id_created_at_idx ON incident (case_id, created_at) INCLUDE (kind, classification, severity)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX incident_case_id_created_at_idx`);
  }
}
