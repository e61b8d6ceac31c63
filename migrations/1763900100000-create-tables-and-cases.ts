import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

const ORG_TYPES = `'COA','IND','DTV','POLICE','OM','MUNICIPALITY','CHAIN_MARINE','NIDOS','CHILD_PROTECTION','REFUGEE_COUNCIL','KMAR','DJI','SAFETY_HOUSE','TRANSPORT_OPERATOR'`;
const CATEGORIES = `'identity','residence','procedure','incidents','criminal','measures','care','return','deliberation'`;

/**
 * Tables (LKO), covenants, subjects, cases, incidents and measures.
 * There is deliberately no column for ethnicity or religion anywhere (see DOMAIN.md section 7).
 */
export class CreateTablesAndCases1763900100000 implements MigrationInterface {
  name = 'CreateTablesAndCases1763900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chain_table (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        coa_location text NOT NULL,
        municipality_code text NOT NULL,
        cadence_rrule text NOT NULL,
        holiday_policy text NOT NULL DEFAULT 'skip',
        retention_months integer NOT NULL DEFAULT 24,
        case_reference_prefix text NOT NULL,
        current_covenant_version_id uuid,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT chain_table_pkey PRIMARY KEY (id),
        CONSTRAINT chain_table_name_key UNIQUE (name),
        CONSTRAINT chain_table_case_reference_prefix_key UNIQUE (case_reference_prefix),
        CONSTRAINT chain_table_municipality_code_check CHECK (municipality_code ~ '^GM[0-9]{4}$'),
        CONSTRAINT chain_table_holiday_policy_check CHECK (holiday_policy IN ('skip','next_working_day','previous_working_day')),
        CONSTRAINT chain_table_retention_months_check CHECK (retention_months BETWEEN 1 AND 120),
        CONSTRAINT chain_table_case_reference_prefix_check CHECK (case_reference_prefix ~ '^[A-Z]{2,6}$')
      )`);

    await q.query(`
      CREATE TABLE table_member_organisation (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        table_id uuid NOT NULL,
        organisation_id uuid NOT NULL,
        joined_at timestamptz NOT NULL DEFAULT now(),
        left_at timestamptz,
        CONSTRAINT table_member_organisation_pkey PRIMARY KEY (id),
        CONSTRAINT table_member_organisation_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT table_member_organisation_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES organisation (id)
      )`);
    await q.query(`CREATE UNIQUE INDEX table_member_organisation_active_key ON table_member_organisation (table_id, organisation_id) WHERE left_at IS NULL`);
    await q.query(`CREATE INDEX table_member_organisation_organisation_id_idx ON table_member_organisation (organisation_id) WHERE left_at IS NULL`);

    await q.query(`
      CREATE TABLE table_membership (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        table_id uuid NOT NULL,
        user_id uuid NOT NULL,
        role text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        changed_by uuid,
        CONSTRAINT table_membership_pkey PRIMARY KEY (id),
        CONSTRAINT table_membership_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT table_membership_user_fkey FOREIGN KEY (user_id) REFERENCES app_user (id),
        CONSTRAINT table_membership_role_check CHECK (role IN ('chair','member'))
      )`);
    await q.query(`CREATE UNIQUE INDEX table_membership_active_key ON table_membership (table_id, user_id) WHERE ended_at IS NULL`);
    await q.query(`CREATE INDEX table_membership_user_id_idx ON table_membership (user_id) WHERE ended_at IS NULL`);
    // A table has at most one chair at a time; the role may rotate between member organisations.
    await q.query(`CREATE UNIQUE INDEX table_membership_one_chair_key ON table_membership (table_id) WHERE role = 'chair' AND ended_at IS NULL`);

    await q.query(`
      CREATE TABLE processing_activity (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        table_id uuid NOT NULL,
        category text NOT NULL,
        name text NOT NULL,
        purpose text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT processing_activity_pkey PRIMARY KEY (id),
        CONSTRAINT processing_activity_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT processing_activity_category_check CHECK (category IN (${CATEGORIES})),
        CONSTRAINT processing_activity_table_category_key UNIQUE (table_id, category)
      )`);

    await q.query(`
      CREATE TABLE covenant_version (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        table_id uuid NOT NULL,
        version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        change_note text NOT NULL,
        CONSTRAINT covenant_version_pkey PRIMARY KEY (id),
        CONSTRAINT covenant_version_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT covenant_version_created_by_fkey FOREIGN KEY (created_by) REFERENCES app_user (id),
        CONSTRAINT covenant_version_table_version_key UNIQUE (table_id, version)
      )`);
    await q.query(`ALTER TABLE chain_table ADD CONSTRAINT chain_table_current_covenant_version_fkey
      FOREIGN KEY (current_covenant_version_id) REFERENCES covenant_version (id)`);

    // Lawful grounds of art. 6(1) AVG open to public partners: consent (a), contract (b) and legitimate
    // interest (f) are not available to them for this processing.
    await q.query(`
      CREATE TABLE covenant_grant (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        covenant_version_id uuid NOT NULL,
        organisation_type text NOT NULL,
        category text NOT NULL,
        lawful_ground text NOT NULL,
        legal_basis text NOT NULL,
        processing_activity_id uuid NOT NULL,
        CONSTRAINT covenant_grant_pkey PRIMARY KEY (id),
        CONSTRAINT covenant_grant_version_fkey FOREIGN KEY (covenant_version_id) REFERENCES covenant_version (id),
        CONSTRAINT covenant_grant_processing_activity_fkey FOREIGN KEY (processing_activity_id) REFERENCES processing_activity (id),
        CONSTRAINT covenant_grant_organisation_type_check CHECK (organisation_type IN (${ORG_TYPES})),
        CONSTRAINT covenant_grant_category_check CHECK (category IN (${CATEGORIES})),
        CONSTRAINT covenant_grant_lawful_ground_check CHECK (lawful_ground IN ('legal_obligation','public_task','vital_interests')),
        CONSTRAINT covenant_grant_version_type_category_key UNIQUE (covenant_version_id, organisation_type, category)
      )`);

    await q.query(`
      CREATE TABLE subject (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        v_number text NOT NULL,
        family_name text,
        given_names text,
        date_of_birth date,
        nationality text,
        reception_location text,
        restricted_at timestamptz,
        anonymised_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subject_pkey PRIMARY KEY (id),
        CONSTRAINT subject_v_number_key UNIQUE (v_number),
        CONSTRAINT subject_v_number_check CHECK (v_number ~ '^[0-9]{10}$' OR anonymised_at IS NOT NULL),
        CONSTRAINT subject_nationality_check CHECK (nationality ~ '^[A-Z]{3}$')
      )`);

    await q.query(`
      CREATE TABLE case_file (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        table_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        reference text NOT NULL,
        status text NOT NULL DEFAULT 'intake',
        risk_level text NOT NULL DEFAULT 'medium',
        coordinator_organisation_id uuid,
        coordinator_user_id uuid,
        review_date date,
        procedure_stage text,
        ind_priority boolean NOT NULL DEFAULT false,
        care_notes text,
        legal_hold boolean NOT NULL DEFAULT false,
        opened_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT case_file_pkey PRIMARY KEY (id),
        CONSTRAINT case_file_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT case_file_subject_fkey FOREIGN KEY (subject_id) REFERENCES subject (id),
        CONSTRAINT case_file_coordinator_organisation_fkey FOREIGN KEY (coordinator_organisation_id) REFERENCES organisation (id),
        CONSTRAINT case_file_coordinator_user_fkey FOREIGN KEY (coordinator_user_id) REFERENCES app_user (id),
        CONSTRAINT case_file_reference_key UNIQUE (reference),
        CONSTRAINT case_file_status_check CHECK (status IN ('intake','active','monitoring','closed')),
        CONSTRAINT case_file_risk_level_check CHECK (risk_level IN ('low','medium','high')),
        CONSTRAINT case_file_closed_check CHECK ((status = 'closed') = (closed_at IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX case_file_open_subject_key ON case_file (table_id, subject_id) WHERE status <> 'closed'`);
    await q.query(`CREATE INDEX case_file_table_id_idx ON case_file (table_id, opened_at DESC, id)`);
    await q.query(`CREATE INDEX case_file_subject_id_idx ON case_file (subject_id)`);

    await q.query(`
      CREATE TABLE case_status_change (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL,
        from_status text,
        to_status text NOT NULL,
        reason text,
        changed_at timestamptz NOT NULL DEFAULT now(),
        changed_by uuid,
        CONSTRAINT case_status_change_pkey PRIMARY KEY (id),
        CONSTRAINT case_status_change_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id)
      )`);
    await q.query(`CREATE INDEX case_status_change_case_id_idx ON case_status_change (case_id, changed_at)`);

    await q.query(`
      CREATE TABLE case_strategy (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL,
        revision integer NOT NULL,
        kind text NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        CONSTRAINT case_strategy_pkey PRIMARY KEY (id),
        CONSTRAINT case_strategy_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id),
        CONSTRAINT case_strategy_case_revision_key UNIQUE (case_id, revision),
        CONSTRAINT case_strategy_kind_check CHECK (kind IN ('departure','nuisance','other'))
      )`);

    await q.query(`
      CREATE TABLE case_deadline (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL,
        kind text NOT NULL,
        due_date date NOT NULL,
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT case_deadline_pkey PRIMARY KEY (id),
        CONSTRAINT case_deadline_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id),
        CONSTRAINT case_deadline_kind_check CHECK (kind IN ('departure_period_end','procedure_decision','other'))
      )`);
    await q.query(`CREATE INDEX case_deadline_case_id_idx ON case_deadline (case_id)`);

    await q.query(`
      CREATE TABLE case_transfer (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL,
        from_table_id uuid NOT NULL,
        to_table_id uuid NOT NULL,
        reason text,
        transferred_at timestamptz NOT NULL DEFAULT now(),
        transferred_by uuid,
        CONSTRAINT case_transfer_pkey PRIMARY KEY (id),
        CONSTRAINT case_transfer_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id),
        CONSTRAINT case_transfer_from_table_fkey FOREIGN KEY (from_table_id) REFERENCES chain_table (id),
        CONSTRAINT case_transfer_to_table_fkey FOREIGN KEY (to_table_id) REFERENCES chain_table (id)
      )`);
    await q.query(`CREATE INDEX case_transfer_case_id_idx ON case_transfer (case_id)`);

    await q.query(`
      CREATE TABLE incident (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL,
        source_organisation_id uuid NOT NULL,
        kind text NOT NULL,
        classification text NOT NULL,
        severity text NOT NULL,
        occurred_at timestamptz NOT NULL,
        place text,
        description text,
        reported_to_police boolean NOT NULL DEFAULT false,
        victim_kind text,
        external_reference text,
        request_hash text,
        recorded_by_user_id uuid,
        recorded_by_client_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT incident_pkey PRIMARY KEY (id),
        CONSTRAINT incident_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id),
        CONSTRAINT incident_source_organisation_fkey FOREIGN KEY (source_organisation_id) REFERENCES organisation (id),
        CONSTRAINT incident_kind_check CHECK (kind IN ('theft','shoplifting','violence','threat','vandalism','public_nuisance','fare_dodging','house_rule_breach','measure_violation','other')),
        CONSTRAINT incident_classification_check CHECK (classification IN ('nuisance','offence')),
        CONSTRAINT incident_severity_check CHECK (severity IN ('minor','serious','severe')),
        CONSTRAINT incident_victim_kind_check CHECK (victim_kind IN ('resident','staff_public_duty','neighbour','shop','transport','other'))
      )`);
    await q.query(`CREATE UNIQUE INDEX incident_source_external_reference_key ON incident (source_organisation_id, external_reference) WHERE external_reference IS NOT NULL`);
    await q.query(`CREATE INDEX incident_case_id_idx ON incident (case_id, occurred_at DESC)`);

    await q.query(`
      CREATE TABLE measure (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL,
        type text NOT NULL,
        imposing_organisation_id uuid NOT NULL,
        legal_basis text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        status text NOT NULL DEFAULT 'active',
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by_user_id uuid,
        CONSTRAINT measure_pkey PRIMARY KEY (id),
        CONSTRAINT measure_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id),
        CONSTRAINT measure_imposing_organisation_fkey FOREIGN KEY (imposing_organisation_id) REFERENCES organisation (id),
        CONSTRAINT measure_status_check CHECK (status IN ('planned','active','ended','revoked')),
        CONSTRAINT measure_period_check CHECK (ends_at IS NULL OR ends_at > starts_at)
      )`);
    await q.query(`CREATE INDEX measure_case_id_idx ON measure (case_id, starts_at DESC)`);

    // The actions agreed at a table ("which action by whom"); the meeting cycle builds on this table.
    await q.query(`
      CREATE TABLE action (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL,
        owner_organisation_id uuid NOT NULL,
        owner_user_id uuid,
        description text NOT NULL,
        due_date date NOT NULL,
        status text NOT NULL DEFAULT 'open',
        result_note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT action_pkey PRIMARY KEY (id),
        CONSTRAINT action_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id),
        CONSTRAINT action_owner_organisation_fkey FOREIGN KEY (owner_organisation_id) REFERENCES organisation (id),
        CONSTRAINT action_owner_user_fkey FOREIGN KEY (owner_user_id) REFERENCES app_user (id),
        CONSTRAINT action_status_check CHECK (status IN ('open','done','cancelled'))
      )`);
    await q.query(`CREATE INDEX action_case_id_open_idx ON action (case_id, due_date) WHERE status = 'open'`);

    const tables = [
      'action',
      'chain_table', 'table_member_organisation', 'table_membership', 'processing_activity', 'covenant_version',
      'covenant_grant', 'subject', 'case_file', 'case_status_change', 'case_strategy', 'case_deadline',
      'case_transfer', 'incident', 'measure',
    ];
    for (const table of tables) await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_GROUP_ROLE}`);
    // History and covenants are never rewritten by the application.
    for (const table of ['covenant_version', 'covenant_grant', 'case_status_change', 'case_strategy', 'case_transfer']) {
      await q.query(`REVOKE UPDATE, DELETE ON ${table} FROM ${APP_GROUP_ROLE}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE chain_table DROP CONSTRAINT chain_table_current_covenant_version_fkey`);
    for (const table of [
      'action', 'measure', 'incident', 'case_transfer', 'case_deadline', 'case_strategy', 'case_status_change', 'case_file',
      'subject', 'covenant_grant', 'covenant_version', 'processing_activity', 'table_membership',
      'table_member_organisation', 'chain_table',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
