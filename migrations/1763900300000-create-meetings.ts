import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/** The weekly cycle: meetings, nominations and list imports, agenda, attendance, reviews, escalations, minutes, events. */
export class CreateMeetings1763900300000 implements MigrationInterface {
  name = 'CreateMeetings1763900300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meeting (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        table_id uuid NOT NULL,
        scheduled_at timestamptz NOT NULL,
        cadence_slot timestamptz,
        status text NOT NULL DEFAULT 'planned',
        location text,
        agenda_drafted_at timestamptz,
        agenda_published_at timestamptz,
        opened_at timestamptz,
        closed_at timestamptz,
        cancelled_reason text,
        minutes jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT meeting_pkey PRIMARY KEY (id),
        CONSTRAINT meeting_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT meeting_status_check CHECK (status IN ('planned','agenda_published','in_session','closed','cancelled')),
        CONSTRAINT meeting_minutes_check CHECK (minutes IS NULL OR status = 'closed')
      )`);
    // A cadence occurrence yields at most one meeting, even after it was moved or cancelled.
    await q.query(`CREATE UNIQUE INDEX meeting_table_cadence_slot_key ON meeting (table_id, cadence_slot) WHERE cadence_slot IS NOT NULL`);
    await q.query(`CREATE INDEX meeting_table_id_scheduled_at_idx ON meeting (table_id, scheduled_at)`);

    await q.query(`
      CREATE TABLE list_import (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        table_id uuid NOT NULL,
        kind text NOT NULL,
        organisation_id uuid NOT NULL,
        submitted_by_user_id uuid,
        submitted_by_client_id uuid,
        content_hash text NOT NULL,
        line_count integer NOT NULL,
        report jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT list_import_pkey PRIMARY KEY (id),
        CONSTRAINT list_import_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT list_import_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES organisation (id),
        CONSTRAINT list_import_kind_check CHECK (kind IN ('dtv_caseload','coa_residents','top_x','intake_transfer_outflow')),
        CONSTRAINT list_import_content_key UNIQUE (table_id, kind, organisation_id, content_hash)
      )`);

    await q.query(`
      CREATE TABLE nomination (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        table_id uuid NOT NULL,
        meeting_id uuid,
        case_id uuid,
        topic text,
        reason_code text NOT NULL,
        reason_text text,
        source text NOT NULL,
        list_import_id uuid,
        organisation_id uuid NOT NULL,
        user_id uuid,
        client_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT nomination_pkey PRIMARY KEY (id),
        CONSTRAINT nomination_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT nomination_meeting_fkey FOREIGN KEY (meeting_id) REFERENCES meeting (id),
        CONSTRAINT nomination_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id),
        CONSTRAINT nomination_list_import_fkey FOREIGN KEY (list_import_id) REFERENCES list_import (id),
        CONSTRAINT nomination_source_check CHECK (source IN ('member','list')),
        CONSTRAINT nomination_subject_check CHECK ((case_id IS NULL) <> (topic IS NULL))
      )`);
    await q.query(`CREATE INDEX nomination_table_id_idx ON nomination (table_id, created_at)`);
    // The same case is nominated at most once per meeting and source (a re-submitted list changes nothing).
    await q.query(`CREATE UNIQUE INDEX nomination_meeting_case_source_key ON nomination (meeting_id, case_id, source) WHERE case_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE agenda_item (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        meeting_id uuid NOT NULL,
        position integer NOT NULL,
        case_id uuid,
        topic text,
        reasons jsonb NOT NULL DEFAULT '[]',
        decision_text text,
        outcome text,
        strategy_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT agenda_item_pkey PRIMARY KEY (id),
        CONSTRAINT agenda_item_meeting_fkey FOREIGN KEY (meeting_id) REFERENCES meeting (id),
        CONSTRAINT agenda_item_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id),
        CONSTRAINT agenda_item_strategy_fkey FOREIGN KEY (strategy_id) REFERENCES case_strategy (id),
        CONSTRAINT agenda_item_subject_check CHECK ((case_id IS NULL) <> (topic IS NULL)),
        CONSTRAINT agenda_item_outcome_check CHECK (outcome IN ('discussed','postponed','escalated','closed_case'))
      )`);
    await q.query(`CREATE UNIQUE INDEX agenda_item_meeting_case_key ON agenda_item (meeting_id, case_id) WHERE case_id IS NOT NULL`);
    await q.query(`CREATE INDEX agenda_item_meeting_id_idx ON agenda_item (meeting_id, position)`);

    await q.query(`
      CREATE TABLE attendance (
        meeting_id uuid NOT NULL,
        organisation_id uuid NOT NULL,
        present boolean NOT NULL,
        note text,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT attendance_pkey PRIMARY KEY (meeting_id, organisation_id),
        CONSTRAINT attendance_meeting_fkey FOREIGN KEY (meeting_id) REFERENCES meeting (id),
        CONSTRAINT attendance_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES organisation (id)
      )`);

    await q.query(`
      ALTER TABLE action
        ADD COLUMN meeting_id uuid CONSTRAINT action_meeting_fkey REFERENCES meeting (id),
        ADD COLUMN agenda_item_id uuid CONSTRAINT action_agenda_item_fkey REFERENCES agenda_item (id),
        ADD COLUMN not_acted_on_count integer NOT NULL DEFAULT 0,
        ADD COLUMN replan_requested_at timestamptz,
        ADD COLUMN replan_requested_due_date date,
        ADD COLUMN replan_reason text,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`CREATE INDEX action_owner_organisation_id_idx ON action (owner_organisation_id, due_date) WHERE status = 'open'`);

    // How the table reviewed an open action: done, re-planned or cancelled because circumstances changed,
    // or not acted on (which stays visible and counts in statistics).
    await q.query(`
      CREATE TABLE action_review (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        action_id uuid NOT NULL,
        meeting_id uuid NOT NULL,
        outcome text NOT NULL,
        reason text,
        new_due_date date,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        CONSTRAINT action_review_pkey PRIMARY KEY (id),
        CONSTRAINT action_review_action_fkey FOREIGN KEY (action_id) REFERENCES action (id),
        CONSTRAINT action_review_meeting_fkey FOREIGN KEY (meeting_id) REFERENCES meeting (id),
        CONSTRAINT action_review_outcome_check CHECK (outcome IN ('done','replanned','cancelled_circumstances','not_acted_on')),
        CONSTRAINT action_review_action_meeting_key UNIQUE (action_id, meeting_id)
      )`);

    await q.query(`
      CREATE TABLE escalation (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL,
        track text NOT NULL,
        target_organisation_type text NOT NULL,
        requested_by_organisation_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'proposed',
        meeting_id uuid,
        agenda_item_id uuid,
        reason text,
        response_due_date date,
        outcome text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT escalation_pkey PRIMARY KEY (id),
        CONSTRAINT escalation_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id),
        CONSTRAINT escalation_requested_by_fkey FOREIGN KEY (requested_by_organisation_id) REFERENCES organisation (id),
        CONSTRAINT escalation_meeting_fkey FOREIGN KEY (meeting_id) REFERENCES meeting (id),
        CONSTRAINT escalation_track_check CHECK (track IN ('ind_priority','htl_placement','pbl_placement','coa_ladder','ttov_referral','top_x','chain_marine')),
        CONSTRAINT escalation_status_check CHECK (status IN ('proposed','requested','accepted','rejected','completed','withdrawn'))
      )`);
    await q.query(`CREATE INDEX escalation_case_id_idx ON escalation (case_id)`);

    await q.query(`
      CREATE TABLE minutes_addendum (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        meeting_id uuid NOT NULL,
        agenda_item_id uuid,
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        CONSTRAINT minutes_addendum_pkey PRIMARY KEY (id),
        CONSTRAINT minutes_addendum_meeting_fkey FOREIGN KEY (meeting_id) REFERENCES meeting (id)
      )`);

    // Outbox: written in the same transaction as the change; a relay delivers it (notifications work).
    await q.query(`
      CREATE TABLE domain_event (
        id bigint GENERATED ALWAYS AS IDENTITY,
        type text NOT NULL,
        table_id uuid,
        aggregate_type text NOT NULL,
        aggregate_id uuid NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL DEFAULT now(),
        relayed_at timestamptz,
        CONSTRAINT domain_event_pkey PRIMARY KEY (id)
      )`);
    await q.query(`CREATE INDEX domain_event_unrelayed_idx ON domain_event (id) WHERE relayed_at IS NULL`);

    await q.query(`
      CREATE TABLE calendar_feed_token (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        kind text NOT NULL,
        table_id uuid,
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT calendar_feed_token_pkey PRIMARY KEY (id),
        CONSTRAINT calendar_feed_token_user_fkey FOREIGN KEY (user_id) REFERENCES app_user (id),
        CONSTRAINT calendar_feed_token_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT calendar_feed_token_kind_check CHECK (kind IN ('table','organisation')),
        CONSTRAINT calendar_feed_token_scope_check CHECK ((kind = 'table') = (table_id IS NOT NULL)),
        CONSTRAINT calendar_feed_token_token_hash_key UNIQUE (token_hash)
      )`);

    for (const table of ['meeting', 'list_import', 'nomination', 'agenda_item', 'attendance', 'escalation', 'calendar_feed_token']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_GROUP_ROLE}`);
    }
    for (const table of ['action_review', 'minutes_addendum']) await q.query(`GRANT SELECT, INSERT ON ${table} TO ${APP_GROUP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON domain_event TO ${APP_GROUP_ROLE}`);
    await q.query(`GRANT UPDATE (relayed_at) ON domain_event TO ${APP_GROUP_ROLE}`);
    // Frozen minutes: once closed, a meeting's row may not change (corrections are addenda).
    await q.query(`
      CREATE FUNCTION forbid_closed_meeting_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status = 'closed' THEN
          RAISE EXCEPTION 'meeting % is closed; add an addendum instead', OLD.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER meeting_closed_is_final BEFORE UPDATE OR DELETE ON meeting FOR EACH ROW EXECUTE FUNCTION forbid_closed_meeting_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER meeting_closed_is_final ON meeting`);
    await q.query(`DROP FUNCTION forbid_closed_meeting_change()`);
    for (const table of ['calendar_feed_token', 'domain_event', 'minutes_addendum', 'escalation', 'action_review']) await q.query(`DROP TABLE ${table}`);
    await q.query(`ALTER TABLE action DROP COLUMN meeting_id, DROP COLUMN agenda_item_id, DROP COLUMN not_acted_on_count,
      DROP COLUMN replan_requested_at, DROP COLUMN replan_requested_due_date, DROP COLUMN replan_reason, DROP COLUMN updated_at`);
    for (const table of ['attendance', 'agenda_item', 'nomination', 'list_import', 'meeting']) await q.query(`DROP TABLE ${table}`);
  }
}
