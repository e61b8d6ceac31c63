import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/** As the code has them today (a migration does not follow the code). */
const TRACKS = ['ind_priority', 'htl_placement', 'pbl_placement', 'coa_ladder', 'ttov_referral', 'top_x', 'chain_marine'];
const STATUSES = ['proposed', 'requested', 'accepted', 'rejected', 'completed', 'withdrawn'];
const CATEGORIES = ['identity', 'residence', 'procedure', 'incidents', 'criminal', 'measures', 'care', 'return', 'deliberation'];
const list = (values: string[]) => values.map((v) => `'${v}'`).join(',');

/**
 * Escalations between meetings (DOMAIN.md section 6): each escalation a state machine with its history,
 * requested with a response deadline in working days per track (configurable per table), and escalation
 * rules per table that propose (never decide) an escalation when a triggering fact is recorded.
 */
export class AddEscalationWorkflow1764000300000 implements MigrationInterface {
  name = 'AddEscalationWorkflow1764000300000';

  async up(q: QueryRunner): Promise<void> {
    // The parameters are columns, not JSON, so that the database refuses a rule that cannot be evaluated.
    await q.query(`
      CREATE TABLE escalation_rule (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        table_id uuid NOT NULL,
        kind text NOT NULL,
        track text NOT NULL,
        threshold integer,
        window_days integer,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT escalation_rule_pkey PRIMARY KEY (id),
        CONSTRAINT escalation_rule_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT escalation_rule_table_kind_track_key UNIQUE (table_id, kind, track),
        CONSTRAINT escalation_rule_track_check CHECK (track IN (${list(TRACKS)})),
        CONSTRAINT escalation_rule_kind_check CHECK (kind IN ('incident_count','severe_incident','staff_public_duty_incident','action_not_acted_on')),
        CONSTRAINT escalation_rule_parameters_check CHECK (
          CASE kind
            WHEN 'incident_count' THEN threshold BETWEEN 2 AND 100 AND window_days BETWEEN 1 AND 365
            WHEN 'action_not_acted_on' THEN threshold BETWEEN 1 AND 20 AND window_days IS NULL
            ELSE threshold IS NULL AND window_days IS NULL
          END)
      )`);

    // One row per table that changed a default; a table without one runs on the defaults in the code.
    await q.query(`
      CREATE TABLE table_escalation_settings (
        table_id uuid NOT NULL,
        response_working_days jsonb NOT NULL DEFAULT '{}',
        departure_interview_enabled boolean NOT NULL DEFAULT true,
        departure_interview_working_days integer NOT NULL DEFAULT 2,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT table_escalation_settings_pkey PRIMARY KEY (table_id),
        CONSTRAINT table_escalation_settings_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT table_escalation_settings_days_check CHECK (departure_interview_working_days BETWEEN 0 AND 60),
        CONSTRAINT table_escalation_settings_response_check CHECK (
          jsonb_typeof(response_working_days) = 'object'
          AND NOT jsonb_path_exists(response_working_days,
                '$.keyvalue() ? (!(${TRACKS.map((t) => `@.key == "${t}"`).join(' || ')}) || @.value.type() != "number" || @.value < 1 || @.value > 60 || @.value != @.value.floor())'))
      )`);

    await q.query(`
      ALTER TABLE escalation
        ALTER COLUMN requested_by_organisation_id DROP NOT NULL,
        ADD COLUMN rule_id uuid CONSTRAINT escalation_rule_fkey REFERENCES escalation_rule (id),
        ADD COLUMN trigger_category text CONSTRAINT escalation_trigger_category_check CHECK (trigger_category IN (${list(CATEGORIES)})),
        ADD COLUMN requested_at timestamptz,
        ADD CONSTRAINT escalation_rule_trigger_check CHECK ((rule_id IS NULL) = (trigger_category IS NULL)),
        -- Only a rule's proposal has no organisation that asked, until the chair requests it.
        ADD CONSTRAINT escalation_requested_by_check CHECK (requested_by_organisation_id IS NOT NULL OR (rule_id IS NOT NULL AND status IN ('proposed','withdrawn'))),
        ADD CONSTRAINT escalation_response_due_check CHECK (status NOT IN ('requested','accepted','rejected','completed') OR response_due_date IS NOT NULL)`);
    // Stricter than one per rule: two rules of one track (a severe incident that is also against staff) make
    // one proposal. The unique index, not a read before the insert, holds off a race or a retry.
    await q.query(`CREATE UNIQUE INDEX escalation_open_rule_proposal_key ON escalation (case_id, track) WHERE status = 'proposed' AND rule_id IS NOT NULL`);
    await q.query(`CREATE INDEX escalation_target_status_idx ON escalation (target_organisation_type, status)`);

    // The history: append-only for the application.
    await q.query(`
      CREATE TABLE escalation_event (
        id bigint GENERATED ALWAYS AS IDENTITY,
        escalation_id uuid NOT NULL,
        from_status text,
        to_status text NOT NULL,
        reason text NOT NULL,
        actor_kind text NOT NULL,
        actor_organisation_id uuid,
        at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT escalation_event_pkey PRIMARY KEY (id),
        CONSTRAINT escalation_event_escalation_fkey FOREIGN KEY (escalation_id) REFERENCES escalation (id),
        CONSTRAINT escalation_event_actor_organisation_fkey FOREIGN KEY (actor_organisation_id) REFERENCES organisation (id),
        CONSTRAINT escalation_event_from_status_check CHECK (from_status IN (${list(STATUSES)})),
        CONSTRAINT escalation_event_to_status_check CHECK (to_status IN (${list(STATUSES)})),
        CONSTRAINT escalation_event_actor_kind_check CHECK (actor_kind IN ('user','client','system')),
        CONSTRAINT escalation_event_actor_check CHECK ((actor_kind = 'system') = (actor_organisation_id IS NULL))
      )`);
    await q.query(`CREATE INDEX escalation_event_escalation_id_idx ON escalation_event (escalation_id, id)`);
    // Escalations proposed in session before there was a history: their proposal is its first entry.
    await q.query(`
      INSERT INTO escalation_event (escalation_id, from_status, to_status, reason, actor_kind, actor_organisation_id, at)
      SELECT id, NULL, 'proposed', coalesce(reason, ''), 'user', requested_by_organisation_id, created_at FROM escalation`);

    await q.query(`GRANT SELECT, INSERT, UPDATE ON escalation_rule TO ${APP_GROUP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON table_escalation_settings TO ${APP_GROUP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON escalation_event TO ${APP_GROUP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE escalation_event`);
    await q.query(`DROP INDEX escalation_target_status_idx`);
    await q.query(`DROP INDEX escalation_open_rule_proposal_key`);
    await q.query(`
      ALTER TABLE escalation
        DROP CONSTRAINT escalation_response_due_check,
        DROP CONSTRAINT escalation_requested_by_check,
        DROP CONSTRAINT escalation_rule_trigger_check,
        DROP COLUMN requested_at,
        DROP COLUMN trigger_category,
        DROP COLUMN rule_id`);
    // A rule's proposal has no organisation that asked; it cannot stay without the rule.
    await q.query(`DELETE FROM escalation WHERE requested_by_organisation_id IS NULL`);
    await q.query(`ALTER TABLE escalation ALTER COLUMN requested_by_organisation_id SET NOT NULL`);
    await q.query(`DROP TABLE table_escalation_settings`);
    await q.query(`DROP TABLE escalation_rule`);
  }
}
