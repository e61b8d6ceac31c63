import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

export class CreateIdentity1763900000000 implements MigrationInterface {
  name = 'CreateIdentity1763900000000';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide: another database on the same server may have created it already.
    await q.query(`
      DO $$ BEGIN
        CREATE ROLE ${APP_GROUP_ROLE} NOLOGIN;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP_GROUP_ROLE}`);

    await q.query(`
      CREATE TABLE organisation (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        type text NOT NULL,
        name text NOT NULL,
        municipality_code text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT organisation_pkey PRIMARY KEY (id),
        CONSTRAINT organisation_type_check CHECK (type IN ('COA','IND','DTV','POLICE','OM','MUNICIPALITY','CHAIN_MARINE',
          'NIDOS','CHILD_PROTECTION','REFUGEE_COUNCIL','KMAR','DJI','SAFETY_HOUSE','TRANSPORT_OPERATOR','ADMINISTRATION')),
        CONSTRAINT organisation_municipality_code_check CHECK (municipality_code ~ '^GM[0-9]{4}$'),
        CONSTRAINT organisation_name_key UNIQUE (name)
      )`);

    await q.query(`
      CREATE TABLE app_user (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL,
        name text NOT NULL,
        email text NOT NULL,
        password_hash text,
        global_roles text[] NOT NULL DEFAULT '{}',
        invite_token_hash bytea,
        invite_expires_at timestamptz,
        disabled_at timestamptz,
        password_changed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT app_user_pkey PRIMARY KEY (id),
        CONSTRAINT app_user_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES organisation (id),
        CONSTRAINT app_user_global_roles_check CHECK (global_roles <@ ARRAY['admin','privacy_officer']::text[])
      )`);
    await q.query(`CREATE UNIQUE INDEX app_user_email_key ON app_user (lower(email))`);
    await q.query(`CREATE INDEX app_user_organisation_id_idx ON app_user (organisation_id)`);
    await q.query(`CREATE UNIQUE INDEX app_user_invite_token_hash_key ON app_user (invite_token_hash) WHERE invite_token_hash IS NOT NULL`);

    await q.query(`
      CREATE TABLE auth_session (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text,
        CONSTRAINT auth_session_pkey PRIMARY KEY (id),
        CONSTRAINT auth_session_user_fkey FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE CASCADE,
        CONSTRAINT auth_session_revoked_reason_check CHECK (revoked_reason IN ('logout','refresh_reuse','user_disabled','password_changed','organisation_deactivated','roles_changed','expired'))
      )`);
    await q.query(`CREATE INDEX auth_session_user_id_idx ON auth_session (user_id) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX auth_session_revoked_at_idx ON auth_session (revoked_at) WHERE revoked_at IS NOT NULL`);

    await q.query(`
      CREATE TABLE refresh_token (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL,
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz,
        CONSTRAINT refresh_token_pkey PRIMARY KEY (id),
        CONSTRAINT refresh_token_session_fkey FOREIGN KEY (session_id) REFERENCES auth_session (id) ON DELETE CASCADE,
        CONSTRAINT refresh_token_token_hash_key UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX refresh_token_session_id_idx ON refresh_token (session_id)`);

    await q.query(`
      CREATE TABLE api_client (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL,
        name text NOT NULL,
        client_id text NOT NULL,
        secret_hash text NOT NULL,
        scopes text[] NOT NULL DEFAULT '{}',
        disabled_at timestamptz,
        tokens_valid_after timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT api_client_pkey PRIMARY KEY (id),
        CONSTRAINT api_client_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES organisation (id),
        CONSTRAINT api_client_client_id_key UNIQUE (client_id)
      )`);
    await q.query(`CREATE INDEX api_client_organisation_id_idx ON api_client (organisation_id)`);

    for (const table of ['organisation', 'app_user', 'auth_session', 'refresh_token', 'api_client']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_GROUP_ROLE}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['refresh_token', 'auth_session', 'api_client', 'app_user', 'organisation']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
