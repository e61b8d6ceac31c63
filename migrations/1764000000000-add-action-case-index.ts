import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A plain index on action(case_id). The only one before was partial (open actions), which no query about
 * all of a case's actions can use: such a count scanned the whole action table for every listed case
 * (6–8 s per list page at 1M cases). The case summary now counts open actions only, which the partial
 * index serves; this one serves the foreign key and every per-case read regardless of status.
 */
export class AddActionCaseIndex1764000000000 implements MigrationInterface {
  name = 'AddActionCaseIndex1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX action_case_id_idx ON action (case_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX action_case_id_idx`);
  }
}
