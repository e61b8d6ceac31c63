import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/**
 * Data-subject rights and retention (DOMAIN.md section 7, issue 10):
 * - `data_subject_request`: every request the privacy officer handles (access, rectification, restriction,
 *   lifting a restriction, erasure), with its reference and reason. It names the person by subject id only,
 *   never by V-number. The application may add requests, never change or remove them.
 * - `legal_hold`: a hold on a case (reason, end date) stops erasure; lifting it is recorded, not deleted.
 * - `subject.erased_at` (was `anonymised_at`, never used) and `case_file.erased_at`; a constraint makes an
 *   erased subject hold no identity at all. `case_file.legal_hold` (never used) gives way to `legal_hold`.
 * - Frozen minutes no longer hold identity: the snapshots keep the case id and reference, and the reader
 *   looks the person up when the minutes are read, so an erased person reads as erased in every later copy.
 *   Existing snapshots are rewritten to that format (2) here, the one time the trigger lets a migration in.
 * - The trigger that freezes a closed meeting has one scoped exception: erasure may rewrite the `minutes`
 *   column (and nothing else) of a closed meeting, in a transaction that has said so with
 *   `set_config('ketentafel.minutes_erasure', 'on', true)`. Deleting a closed meeting stays impossible.
 */
export class AddDataSubjectRights1764001000000 implements MigrationInterface {
  name = 'AddDataSubjectRights1764001000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subject RENAME COLUMN anonymised_at TO erased_at`);
    // An erased person keeps a placeholder V-number (the column is unique and required) and nothing else.
    await q.query(`
      ALTER TABLE subject
        ADD CONSTRAINT subject_erased_check CHECK (
          erased_at IS NULL OR (v_number = 'erased:' || id::text AND family_name IS NULL AND given_names IS NULL
                                AND date_of_birth IS NULL AND nationality IS NULL AND reception_location IS NULL
                                AND restricted_at IS NULL))`);
    await q.query(`CREATE INDEX subject_restricted_idx ON subject (id) WHERE restricted_at IS NOT NULL`);

    await q.query(`ALTER TABLE case_file DROP COLUMN legal_hold`);
    await q.query(`ALTER TABLE case_file ADD COLUMN erased_at timestamptz`);
    await q.query(`ALTER TABLE case_file ADD CONSTRAINT case_file_erased_check CHECK (erased_at IS NULL OR (status = 'closed' AND care_notes IS NULL))`);
    // The retention sweep: closed cases not erased yet, by when they closed.
    await q.query(`CREATE INDEX case_file_retention_idx ON case_file (closed_at) WHERE status = 'closed' AND erased_at IS NULL`);

    await q.query(`
      CREATE TABLE legal_hold (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL,
        reason text NOT NULL,
        ends_on date NOT NULL,
        set_by_user_id uuid NOT NULL,
        set_at timestamptz NOT NULL,
        lifted_by_user_id uuid,
        lifted_at timestamptz,
        lift_reason text,
        CONSTRAINT legal_hold_pkey PRIMARY KEY (id),
        CONSTRAINT legal_hold_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id),
        CONSTRAINT legal_hold_set_by_fkey FOREIGN KEY (set_by_user_id) REFERENCES app_user (id),
        CONSTRAINT legal_hold_lifted_by_fkey FOREIGN KEY (lifted_by_user_id) REFERENCES app_user (id),
        CONSTRAINT legal_hold_lifted_check CHECK ((lifted_at IS NULL) = (lifted_by_user_id IS NULL) AND (lifted_at IS NULL) = (lift_reason IS NULL))
      )`);
    // One hold at a time per case: a new hold replaces nothing, it is refused while one stands unlifted.
    await q.query(`CREATE UNIQUE INDEX legal_hold_case_open_key ON legal_hold (case_id) WHERE lifted_at IS NULL`);
    await q.query(`GRANT SELECT, INSERT ON legal_hold TO ${APP_GROUP_ROLE}`);
    await q.query(`GRANT UPDATE (lifted_by_user_id, lifted_at, lift_reason) ON legal_hold TO ${APP_GROUP_ROLE}`);

    await q.query(`
      CREATE TABLE data_subject_request (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        reference text NOT NULL,
        reason text NOT NULL,
        subject_id uuid,
        handled_by_user_id uuid NOT NULL,
        operation_id uuid NOT NULL,
        outcome jsonb NOT NULL DEFAULT '{}',
        handled_at timestamptz NOT NULL,
        CONSTRAINT data_subject_request_pkey PRIMARY KEY (id),
        CONSTRAINT data_subject_request_subject_fkey FOREIGN KEY (subject_id) REFERENCES subject (id),
        CONSTRAINT data_subject_request_handled_by_fkey FOREIGN KEY (handled_by_user_id) REFERENCES app_user (id),
        CONSTRAINT data_subject_request_kind_check CHECK (kind IN ('access','rectification','restriction','lifting','erasure')),
        CONSTRAINT data_subject_request_reference_check CHECK (length(reference) BETWEEN 1 AND 100),
        CONSTRAINT data_subject_request_reason_check CHECK (length(reason) BETWEEN 1 AND 2000)
      )`);
    await q.query(`CREATE INDEX data_subject_request_subject_id_idx ON data_subject_request (subject_id, handled_at)`);
    await q.query(`GRANT SELECT, INSERT ON data_subject_request TO ${APP_GROUP_ROLE}`);

    await q.query(`
      CREATE OR REPLACE FUNCTION forbid_closed_meeting_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status = 'closed' THEN
          -- Erasure may rewrite the frozen minutes of a closed meeting, and nothing else of it.
          IF TG_OP = 'UPDATE' AND current_setting('ketentafel.minutes_erasure', true) = 'on'
             AND (to_jsonb(NEW) - 'minutes') = (to_jsonb(OLD) - 'minutes') THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'meeting % is closed; add an addendum instead', OLD.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);

    // Minutes format 2: the case excerpt keeps id and reference; the person is looked up when read.
    await q.query(`SELECT set_config('ketentafel.minutes_erasure', 'on', true)`);
    await q.query(`
      UPDATE meeting m
         SET minutes = jsonb_set(m.minutes, '{items}', (
               SELECT coalesce(jsonb_agg(
                        CASE WHEN jsonb_typeof(x.i->'case') = 'object' THEN jsonb_set(x.i, '{case}', (x.i->'case') - 'subject' - 'subjectId') ELSE x.i END
                        ORDER BY x.n), '[]'::jsonb)
                 FROM jsonb_array_elements(m.minutes->'items') WITH ORDINALITY AS x(i, n))) || '{"format": 2}'::jsonb
       WHERE m.minutes IS NOT NULL AND jsonb_typeof(m.minutes->'items') = 'array'`);
    await q.query(`SELECT set_config('ketentafel.minutes_erasure', 'off', true)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The identity taken out of the minutes is not put back: it is read from the subject in either format.
    await q.query(`
      CREATE OR REPLACE FUNCTION forbid_closed_meeting_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status = 'closed' THEN
          RAISE EXCEPTION 'meeting % is closed; add an addendum instead', OLD.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`DROP TABLE data_subject_request`);
    await q.query(`DROP TABLE legal_hold`);
    await q.query(`DROP INDEX case_file_retention_idx`);
    await q.query(`ALTER TABLE case_file DROP CONSTRAINT case_file_erased_check, DROP COLUMN erased_at`);
    await q.query(`ALTER TABLE case_file ADD COLUMN legal_hold boolean NOT NULL DEFAULT false`);
    await q.query(`DROP INDEX subject_restricted_idx`);
    await q.query(`ALTER TABLE subject DROP CONSTRAINT subject_erased_check`);
    await q.query(`ALTER TABLE subject RENAME COLUMN erased_at TO anonymised_at`);
  }
}
