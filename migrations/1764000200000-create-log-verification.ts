import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/**
 * How far the verifier has checked each log's hash chain, so that every run continues from there instead
 * of re-hashing the whole log: the last verified seq and the chain hash at it (the anchor a later run
 * starts from, and compares against), and the latest result. One row per log, updated by the verifier;
 * the logs themselves stay append-only.
 */
export class CreateLogVerification1764000200000 implements MigrationInterface {
  name = 'CreateLogVerification1764000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE log_verification (
        log text NOT NULL,
        verified_seq bigint NOT NULL DEFAULT 0,
        verified_entry_id bigint,
        chain_hash text NOT NULL,
        intact boolean NOT NULL DEFAULT true,
        broken_seq bigint,
        broken_entry_id bigint,
        broken_reason text,
        unsealed integer NOT NULL DEFAULT 0,
        oldest_unsealed_at timestamptz,
        unsealed_behind_chain integer NOT NULL DEFAULT 0,
        behind_checked_entry_id bigint NOT NULL DEFAULT 0,
        verified_at timestamptz,
        full_verified_at timestamptz,
        full_requested_at timestamptz,
        CONSTRAINT log_verification_pkey PRIMARY KEY (log),
        CONSTRAINT log_verification_log_check CHECK (log IN ('processing_log','audit_log')),
        CONSTRAINT log_verification_chain_hash_check CHECK (chain_hash ~ '^[0-9a-f]{64}$'),
        CONSTRAINT log_verification_broken_check CHECK (
          intact = (broken_seq IS NULL)
          AND (broken_seq IS NULL) = (broken_reason IS NULL)
          AND broken_reason IN ('entry_modified','entry_missing','chain_broken','seq_gap'))
      )`);
    await q.query(`
      INSERT INTO log_verification (log, chain_hash)
      VALUES ('processing_log', repeat('0', 64)), ('audit_log', repeat('0', 64))`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON log_verification TO ${APP_GROUP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE log_verification`);
  }
}
