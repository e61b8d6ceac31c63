import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The case list pages by a row-value comparison, `(opened_at, id) < ($1, $2)`, newest first: an index in
 * exactly that order (both descending) takes the comparison as the start of its range, so a page 60,000 cases
 * deep reads its own 50 rows instead of filtering every row before it (343 ms at 1M cases with the old
 * OR-condition on (table_id, opened_at DESC, id)). The old index served only that order and is replaced.
 */
export class AddCasePageIndex1765000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX case_file_table_page_idx ON case_file (table_id, opened_at DESC, id DESC)`);
    await q.query(`DROP INDEX case_file_table_id_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX case_file_table_id_idx ON case_file (table_id, opened_at DESC, id)`);
    await q.query(`DROP INDEX case_file_table_page_idx`);
  }
}
