import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The case-bound events the statistics count, with the instant each is counted by and the columns they read
 * (included in the index, so that a vacuumed table answers from the index alone).
 */
const EVENTS = [
  { table: 'incident', instant: 'occurred_at', include: 'kind, classification, subject_id', partial: '' },
  { table: 'measure', instant: 'starts_at', include: 'type, status, subject_id, case_id, id', partial: '' },
  { table: 'action', instant: 'due_date', include: 'status, completed_at, not_acted_on_count, subject_id', partial: '' },
  { table: 'escalation', instant: 'requested_at', include: 'track, status, subject_id, case_id', partial: ' WHERE requested_at IS NOT NULL' },
] as const;

/**
 * The statistics (src/statistics) count a quarter's events per table. Joining every event to its case to find
 * its table and person cost more than the rest of the statement (a busy quarter of a table with 100,000 cases
 * has some 60,000 events), so each incident, measure, action and escalation carries, from its case:
 * - `table_id`: the table its case was at when the event was recorded. A trigger sets it on insert, whatever
 *   the application sends, and it never changes: after a transfer the history stays at the old table.
 * - `subject_id`: the case's subject (a surrogate key, never identity), so that the statistics can count the
 *   people behind a figure without reading `case_file` or `subject`.
 * Neither is mapped by the entities nor served by any route. Both stay nullable, so that an insert for a case
 * that does not exist still fails on the case's foreign key, as before.
 *
 * Existing rows are back-filled with the table their case was at when they were created (through the case's
 * transfers). Indexes on (table_id, instant) find a table's quarter; closed cases and transfers get theirs.
 */
export class AddStatisticsColumns1764001200000 implements MigrationInterface {
  name = 'AddStatisticsColumns1764001200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION copy_case_table_and_subject() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT c.table_id, c.subject_id INTO NEW.table_id, NEW.subject_id FROM case_file c WHERE c.id = NEW.case_id;
        RETURN NEW;
      END $$`);
    for (const { table, instant, include, partial } of EVENTS) {
      await q.query(`
        ALTER TABLE ${table}
          ADD COLUMN table_id uuid CONSTRAINT ${table}_table_fkey REFERENCES chain_table (id),
          ADD COLUMN subject_id uuid`);
      await q.query(`
        UPDATE ${table} x
           SET subject_id = c.subject_id,
               table_id = coalesce(
                 (SELECT t.to_table_id FROM case_transfer t WHERE t.case_id = x.case_id AND t.transferred_at <= x.created_at
                   ORDER BY t.transferred_at DESC, t.id DESC LIMIT 1),
                 (SELECT t.from_table_id FROM case_transfer t WHERE t.case_id = x.case_id ORDER BY t.transferred_at, t.id LIMIT 1),
                 c.table_id)
          FROM case_file c
         WHERE c.id = x.case_id`);
      await q.query(`CREATE TRIGGER ${table}_copy_case BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION copy_case_table_and_subject()`);
      await q.query(`CREATE INDEX ${table}_table_id_${instant}_idx ON ${table} (table_id, ${instant}) INCLUDE (${include})${partial}`);
    }
    await q.query(`CREATE INDEX case_file_table_id_closed_at_idx ON case_file (table_id, closed_at) WHERE closed_at IS NOT NULL`);
    await q.query(`CREATE INDEX case_transfer_from_table_id_idx ON case_transfer (from_table_id)`);
    await q.query(`CREATE INDEX case_transfer_to_table_id_idx ON case_transfer (to_table_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX case_transfer_to_table_id_idx`);
    await q.query(`DROP INDEX case_transfer_from_table_id_idx`);
    await q.query(`DROP INDEX case_file_table_id_closed_at_idx`);
    for (const { table, instant } of [...EVENTS].reverse()) {
      await q.query(`DROP INDEX ${table}_table_id_${instant}_idx`);
      await q.query(`DROP TRIGGER ${table}_copy_case ON ${table}`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN subject_id, DROP COLUMN table_id`);
    }
    await q.query(`DROP FUNCTION copy_case_table_and_subject()`);
  }
}
