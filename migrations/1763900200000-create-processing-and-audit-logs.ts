import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/**
 * The processing log (LDV-shaped, no user identities) and the audit log (who), linked by operation_id.
 *
 * Both are append-only for the application: it may INSERT and SELECT, nothing else, and a trigger raises
 * on UPDATE, DELETE and TRUNCATE for anyone. Entries are never updated to seal them: a sealing job
 * appends to log_seal, chaining entries in order of (xact_id, id) once their transaction can no longer be
 * in flight (xact_id below the oldest running transaction). Writers therefore never wait on a chain lock.
 */
export class CreateProcessingAndAuditLogs1763900200000 implements MigrationInterface {
  name = 'CreateProcessingAndAuditLogs1763900200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION forbid_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);

    await q.query(`
      CREATE TABLE processing_log (
        id bigint GENERATED ALWAYS AS IDENTITY,
        xact_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        trace_id text NOT NULL,
        operation_id uuid NOT NULL,
        operation_name text NOT NULL,
        status text NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz NOT NULL,
        processing_activity_id uuid,
        data_subject_id text NOT NULL,
        data_subject_type text NOT NULL DEFAULT 'vreemdelingennummer',
        api_client_id uuid,
        table_id uuid,
        CONSTRAINT processing_log_pkey PRIMARY KEY (id),
        CONSTRAINT processing_log_status_check CHECK (status IN ('ok','error','denied')),
        CONSTRAINT processing_log_data_subject_id_check CHECK (data_subject_id ~ '^[0-9a-f]{64}$')
      )`);
    await q.query(`CREATE INDEX processing_log_data_subject_id_idx ON processing_log (data_subject_id, started_at)`);
    await q.query(`CREATE INDEX processing_log_operation_id_idx ON processing_log (operation_id)`);
    await q.query(`CREATE INDEX processing_log_started_at_idx ON processing_log (started_at)`);
    await q.query(`CREATE INDEX processing_log_xact_id_idx ON processing_log (xact_id, id)`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY,
        xact_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        trace_id text NOT NULL,
        operation_id uuid NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        actor_kind text NOT NULL,
        actor_id uuid,
        organisation_id uuid,
        role text,
        origin_ip text,
        action text NOT NULL,
        result text NOT NULL,
        categories text[] NOT NULL DEFAULT '{}',
        purpose text,
        legal_basis text,
        table_id uuid,
        subject_count integer NOT NULL DEFAULT 0,
        CONSTRAINT audit_log_pkey PRIMARY KEY (id),
        CONSTRAINT audit_log_actor_kind_check CHECK (actor_kind IN ('user','client','system')),
        CONSTRAINT audit_log_result_check CHECK (result IN ('allowed','denied','error'))
      )`);
    await q.query(`CREATE INDEX audit_log_operation_id_idx ON audit_log (operation_id)`);
    await q.query(`CREATE INDEX audit_log_actor_id_idx ON audit_log (actor_id, occurred_at)`);
    await q.query(`CREATE INDEX audit_log_organisation_id_idx ON audit_log (organisation_id, occurred_at)`);
    await q.query(`CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at)`);
    await q.query(`CREATE INDEX audit_log_xact_id_idx ON audit_log (xact_id, id)`);

    await q.query(`
      CREATE TABLE log_seal (
        log text NOT NULL,
        seq bigint NOT NULL,
        entry_id bigint NOT NULL,
        entry_hash text NOT NULL,
        chain_hash text NOT NULL,
        sealed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT log_seal_pkey PRIMARY KEY (log, seq),
        CONSTRAINT log_seal_entry_key UNIQUE (log, entry_id),
        CONSTRAINT log_seal_log_check CHECK (log IN ('processing_log','audit_log'))
      )`);

    // INSERT is granted per column: xact_id always comes from the default, so the application cannot
    // backdate an entry behind the sealing horizon (where it would never be sealed).
    const insertable: Record<string, string> = {
      processing_log: `trace_id, operation_id, operation_name, status, started_at, ended_at, processing_activity_id,
                       data_subject_id, data_subject_type, api_client_id, table_id`,
      audit_log: `trace_id, operation_id, occurred_at, actor_kind, actor_id, organisation_id, role, origin_ip, action, result,
                  categories, purpose, legal_basis, table_id, subject_count`,
      log_seal: 'log, seq, entry_id, entry_hash, chain_hash, sealed_at',
    };
    for (const [table, columns] of Object.entries(insertable)) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION forbid_log_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION forbid_log_change()`);
      await q.query(`GRANT SELECT ON ${table} TO ${APP_GROUP_ROLE}`);
      await q.query(`GRANT INSERT (${columns}) ON ${table} TO ${APP_GROUP_ROLE}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['log_seal', 'audit_log', 'processing_log']) await q.query(`DROP TABLE ${table}`);
    await q.query(`DROP FUNCTION forbid_log_change()`);
  }
}
