import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every list is a keyset page over (sort key, id) (README, "Lists"): these indexes serve the lists that grow
 * with use in the order they are read, so a page, and a deep one, reads only its own rows. The meeting index
 * replaces meeting_table_id_scheduled_at_idx, whose columns it starts with. Refused attempts are a small share of
 * the audit log, hence a partial index. The administrative lists (users, API clients) are sorted by name.
 */
export class AddListPageIndexes1766000100000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX meeting_table_page_idx ON meeting (table_id, scheduled_at, id)`);
    await q.query(`DROP INDEX meeting_table_id_scheduled_at_idx`);
    await q.query(`CREATE INDEX nomination_meeting_page_idx ON nomination (meeting_id, created_at, id)`);
    await q.query(`CREATE INDEX audit_log_table_denied_page_idx ON audit_log (table_id, occurred_at, id) WHERE result = 'denied'`);
    await q.query(`CREATE INDEX legal_hold_page_idx ON legal_hold (set_at, id)`);
    await q.query(`CREATE INDEX data_subject_request_page_idx ON data_subject_request (handled_at, id)`);
    await q.query(`CREATE INDEX app_user_name_page_idx ON app_user (name, id)`);
    await q.query(`CREATE INDEX api_client_name_page_idx ON api_client (name, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX api_client_name_page_idx`);
    await q.query(`DROP INDEX app_user_name_page_idx`);
    await q.query(`DROP INDEX data_subject_request_page_idx`);
    await q.query(`DROP INDEX legal_hold_page_idx`);
    await q.query(`DROP INDEX audit_log_table_denied_page_idx`);
    await q.query(`DROP INDEX nomination_meeting_page_idx`);
    await q.query(`CREATE INDEX meeting_table_id_scheduled_at_idx ON meeting (table_id, scheduled_at)`);
    await q.query(`DROP INDEX meeting_table_page_idx`);
  }
}
