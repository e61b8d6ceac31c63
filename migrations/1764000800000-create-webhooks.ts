import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/**
 * Signed webhooks to partner systems (DOMAIN.md section 8).
 *
 * - `webhook_subscription`: an organisation's endpoint and the notice kinds it wants. The signing secret is
 *   stored encrypted (AES-256-GCM, key WEBHOOK_SECRET_KEY); after a rotation the previous secret is kept,
 *   encrypted too, until `previous_secret_expires_at`, and deliveries are signed with both meanwhile.
 * - `webhook_delivery`: what one subscription will be (or was) sent about one notice, recorded in the
 *   transaction that writes the notice. UNIQUE (subscription_id, cause), so a notice written again records
 *   nothing twice. Like `notification`, it holds no personal data: kind, table, case id and reference, the
 *   resource and a link. What is sent is decided from it at send time, under the covenant then.
 *   `lease_until`/`lease_token`: a dispatcher claimed it and is sending; another dispatcher skips it until
 *   the lease runs out (a crashed dispatcher's claim comes free again).
 */
export class CreateWebhooks1764000800000 implements MigrationInterface {
  name = 'CreateWebhooks1764000800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscription (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL,
        url text NOT NULL,
        event_types text[] NOT NULL,
        description text,
        active boolean NOT NULL DEFAULT true,
        secret_ciphertext text NOT NULL,
        previous_secret_ciphertext text,
        previous_secret_expires_at timestamptz,
        secret_rotated_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_subscription_pkey PRIMARY KEY (id),
        CONSTRAINT webhook_subscription_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES organisation (id),
        CONSTRAINT webhook_subscription_url_check CHECK (char_length(url) BETWEEN 8 AND 2000),
        CONSTRAINT webhook_subscription_event_types_check CHECK (cardinality(event_types) > 0),
        CONSTRAINT webhook_subscription_description_check CHECK (char_length(description) <= 200),
        CONSTRAINT webhook_subscription_previous_secret_check CHECK ((previous_secret_ciphertext IS NULL) = (previous_secret_expires_at IS NULL))
      )`);
    // The recording channel finds the active subscriptions of the organisations a notice goes to.
    await q.query(`CREATE INDEX webhook_subscription_organisation_idx ON webhook_subscription (organisation_id) WHERE active`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_subscription TO ${APP_GROUP_ROLE}`);

    await q.query(`
      CREATE TABLE webhook_delivery (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL,
        cause text NOT NULL,
        kind text NOT NULL,
        table_id uuid,
        case_id uuid,
        case_reference text,
        resource_type text,
        resource_id uuid,
        link text,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        resends integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        lease_until timestamptz,
        lease_token uuid,
        last_attempt_at timestamptz,
        last_status_code integer,
        last_error text,
        delivered_at timestamptz,
        failed_at timestamptz,
        created_at timestamptz NOT NULL,
        CONSTRAINT webhook_delivery_pkey PRIMARY KEY (id),
        CONSTRAINT webhook_delivery_subscription_fkey FOREIGN KEY (subscription_id) REFERENCES webhook_subscription (id) ON DELETE CASCADE,
        CONSTRAINT webhook_delivery_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT webhook_delivery_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id) ON DELETE CASCADE,
        CONSTRAINT webhook_delivery_subscription_cause_key UNIQUE (subscription_id, cause),
        CONSTRAINT webhook_delivery_status_check CHECK (status IN ('pending', 'delivered', 'failed')),
        CONSTRAINT webhook_delivery_next_attempt_check CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL)),
        CONSTRAINT webhook_delivery_lease_check CHECK ((lease_until IS NULL) = (lease_token IS NULL)),
        CONSTRAINT webhook_delivery_case_check CHECK ((case_id IS NULL) = (case_reference IS NULL)),
        CONSTRAINT webhook_delivery_resource_check CHECK ((resource_type IS NULL) = (resource_id IS NULL))
      )`);
    // The dispatcher's claim: pending deliveries in order of their next attempt, up to now (a partial index,
    // so delivered and failed ones, the great majority, cost it nothing).
    await q.query(`CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (next_attempt_at, id) WHERE status = 'pending'`);
    // A subscription's deliveries, newest first (the API's list).
    await q.query(`CREATE INDEX webhook_delivery_subscription_created_at_idx ON webhook_delivery (subscription_id, created_at DESC, id DESC)`);
    await q.query(`GRANT SELECT, INSERT ON webhook_delivery TO ${APP_GROUP_ROLE}`);
    await q.query(`
      GRANT UPDATE (status, attempts, resends, next_attempt_at, lease_until, lease_token, last_attempt_at, last_status_code, last_error, delivered_at, failed_at)
         ON webhook_delivery TO ${APP_GROUP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_delivery`);
    await q.query(`DROP TABLE webhook_subscription`);
  }
}
