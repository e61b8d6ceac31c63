import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log's purpose is one of a fixed set of codes (src/sharing/purposes.ts), labelled in Dutch when
 * read, instead of free text in two languages. Listed here as they are today (a migration does not follow
 * the code): a new purpose needs a migration that widens the check.
 *
 * NOT VALID: the audit log is append-only and hash-chained, so rows written before this migration keep
 * their free-text purpose (rewriting them would break their seals); the check holds for every new row.
 */
const PURPOSES = [
  'case_intake',
  'case_preparation',
  'case_discussion',
  'case_registration',
  'case_transfer',
  'decision_recording',
  'minutes',
  'action_follow_up',
  'escalation',
  'notification',
  'supervision',
  'data_subject_request',
  'retention',
  'statistics',
];

export class RestrictAuditPurposes1764001100000 implements MigrationInterface {
  name = 'RestrictAuditPurposes1764001100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_log
        ADD CONSTRAINT audit_log_purpose_check
        CHECK (purpose IS NULL OR purpose IN (${PURPOSES.map((p) => `'${p}'`).join(', ')})) NOT VALID`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_purpose_check`);
  }
}
