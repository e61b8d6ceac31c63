import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/**
 * Delivery from the outbox (DOMAIN.md section 8) and the in-app inbox.
 *
 * - `domain_event.delivered_at`: the event's effects (its notifications) are recorded; written in the same
 *   transaction as those effects. An event relayed long ago and still not delivered is relayed again (the
 *   Redis that held its job may have lost it). `relay_count` says how often it was handed to the queue.
 * - A statement-level trigger NOTIFYs the relay when events are committed, so that delivery does not wait
 *   for the next scheduled run; the schedule alone still relays everything.
 * - `notification`: one row per recipient and cause, the UNIQUE key that makes every consumer safe to run
 *   twice. It holds no personal data: what happened (kind), where (table, case id and reference), a link.
 */
export class CreateNotifications1764000500000 implements MigrationInterface {
  name = 'CreateNotifications1764000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE domain_event ADD COLUMN delivered_at timestamptz, ADD COLUMN relay_count integer NOT NULL DEFAULT 0`);
    // The relay's ordering check (an earlier unrelayed event of the same aggregate holds a later one back),
    // the consumer's (the same for undelivered events), and the sweep's scan of what was relayed but not delivered.
    await q.query(`CREATE INDEX domain_event_unrelayed_aggregate_idx ON domain_event (aggregate_type, aggregate_id, id) WHERE relayed_at IS NULL`);
    await q.query(`CREATE INDEX domain_event_undelivered_aggregate_idx ON domain_event (aggregate_type, aggregate_id, id) WHERE delivered_at IS NULL`);
    await q.query(`CREATE INDEX domain_event_undelivered_relayed_at_idx ON domain_event (relayed_at) WHERE delivered_at IS NULL`);
    await q.query(`GRANT UPDATE (delivered_at, relay_count) ON domain_event TO ${APP_GROUP_ROLE}`);

    // One NOTIFY per inserting statement (and PostgreSQL folds equal ones of a transaction), sent on commit.
    // A NOTIFY serialises the commits of the transactions that send one; where write throughput matters more
    // than delivery latency, `ALTER DATABASE … SET ketentafel.outbox_notify = off` leaves relaying to the schedule.
    await q.query(`
      CREATE FUNCTION notify_domain_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF coalesce(current_setting('ketentafel.outbox_notify', true), '') <> 'off' THEN
          PERFORM pg_notify('kt_domain_event', '');
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER domain_event_notify AFTER INSERT ON domain_event FOR EACH STATEMENT EXECUTE FUNCTION notify_domain_event()`);

    await q.query(`
      CREATE TABLE notification (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        recipient_user_id uuid NOT NULL,
        cause text NOT NULL,
        kind text NOT NULL,
        table_id uuid,
        case_id uuid,
        case_reference text,
        resource_type text,
        resource_id uuid,
        link text,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        CONSTRAINT notification_pkey PRIMARY KEY (id),
        CONSTRAINT notification_recipient_fkey FOREIGN KEY (recipient_user_id) REFERENCES app_user (id) ON DELETE CASCADE,
        CONSTRAINT notification_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT notification_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id) ON DELETE CASCADE,
        CONSTRAINT notification_recipient_cause_key UNIQUE (recipient_user_id, cause),
        CONSTRAINT notification_case_check CHECK ((case_id IS NULL) = (case_reference IS NULL)),
        CONSTRAINT notification_resource_check CHECK ((resource_type IS NULL) = (resource_id IS NULL))
      )`);
    // The inbox, newest first, and its unread count.
    await q.query(`CREATE INDEX notification_recipient_created_at_idx ON notification (recipient_user_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX notification_recipient_unread_idx ON notification (recipient_user_id, created_at DESC, id DESC) WHERE read_at IS NULL`);
    await q.query(`GRANT SELECT, INSERT ON notification TO ${APP_GROUP_ROLE}`);
    await q.query(`GRANT UPDATE (read_at) ON notification TO ${APP_GROUP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification`);
    await q.query(`DROP TRIGGER domain_event_notify ON domain_event`);
    await q.query(`DROP FUNCTION notify_domain_event()`);
    for (const index of ['domain_event_unrelayed_aggregate_idx', 'domain_event_undelivered_aggregate_idx', 'domain_event_undelivered_relayed_at_idx']) {
      await q.query(`DROP INDEX ${index}`);
    }
    await q.query(`ALTER TABLE domain_event DROP COLUMN delivered_at, DROP COLUMN relay_count`);
  }
}
