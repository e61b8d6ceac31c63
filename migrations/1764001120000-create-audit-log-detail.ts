import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/**
 * What an audited operation asked for, where the audit log's own columns cannot say it: the filter of a
 * privacy officer's read of the logs or of an access review (never personal data in clear: a search by
 * V-number records only that there was one; the processing log holds its keyed hash). Linked to its audit
 * entry by operation id, one detail per operation.
 *
 * A table of its own, not a column of audit_log: a new column would change every sealed row's hash (see
 * entryHashSql). Append-only like the logs: the application may insert and read, and a trigger refuses
 * UPDATE, DELETE and TRUNCATE for anyone.
 */
export class CreateAuditLogDetail1764001120000 implements MigrationInterface {
  name = 'CreateAuditLogDetail1764001120000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log_detail (
        operation_id uuid NOT NULL,
        detail jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT audit_log_detail_pkey PRIMARY KEY (operation_id),
        CONSTRAINT audit_log_detail_detail_check CHECK (jsonb_typeof(detail) = 'object')
      )`);
    await q.query(`CREATE TRIGGER audit_log_detail_append_only BEFORE UPDATE OR DELETE ON audit_log_detail FOR EACH ROW EXECUTE FUNCTION forbid_log_change()`);
    await q.query(`CREATE TRIGGER audit_log_detail_no_truncate BEFORE TRUNCATE ON audit_log_detail FOR EACH STATEMENT EXECUTE FUNCTION forbid_log_change()`);
    await q.query(`GRANT SELECT, INSERT ON audit_log_detail TO ${APP_GROUP_ROLE}`);
    // The refused attempts of a table in a period (the access review).
    await q.query(`CREATE INDEX audit_log_table_denied_idx ON audit_log (table_id, occurred_at) WHERE result = 'denied'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_log_table_denied_idx`);
    await q.query(`DROP TABLE audit_log_detail`);
  }
}
