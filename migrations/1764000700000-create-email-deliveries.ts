import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/**
 * E-mail delivery of notifications (src/mail). One row per notification, written by the MailChannel in
 * notify()'s transaction (so an e-mail is recorded exactly when its notification is), then sent by the
 * worker's dispatcher from here.
 *
 * - `status`: `pending` (due at `next_attempt_at`), `sending` (claimed by a dispatcher until
 *   `lease_expires_at`; a crashed dispatcher's row is claimed again after that), `sent`, `failed` (a permanent
 *   SMTP answer, or the retries ran out), `skipped` (`skip_reason`: not sent on purpose).
 * - `lease_token`: the claim that holds the row; a dispatcher only finishes rows still holding its own
 *   token, so one whose lease ran out cannot overwrite the outcome of the dispatcher that took over.
 * - `last_error_code`: a code (`smtp_451`, `ECONNECTION`, ...), never an SMTP server's message, which may
 *   quote the address.
 * - `message_id`: the Message-ID of every attempt, derived from the row's id, so that a message sent twice
 *   (a crash after the server accepted it and before it was marked) is recognisably the same message.
 * - The recipient's address is not stored: it is read from app_user when the message is sent.
 */
export class CreateEmailDeliveries1764000700000 implements MigrationInterface {
  name = 'CreateEmailDeliveries1764000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE email_delivery (
        id uuid NOT NULL,
        notification_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_token uuid,
        lease_expires_at timestamptz,
        sent_at timestamptz,
        last_attempt_at timestamptz,
        last_error_code text,
        skip_reason text,
        message_id text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT email_delivery_pkey PRIMARY KEY (id),
        CONSTRAINT email_delivery_notification_fkey FOREIGN KEY (notification_id) REFERENCES notification (id) ON DELETE CASCADE,
        CONSTRAINT email_delivery_notification_key UNIQUE (notification_id),
        CONSTRAINT email_delivery_message_id_key UNIQUE (message_id),
        CONSTRAINT email_delivery_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
        CONSTRAINT email_delivery_attempts_check CHECK (attempts >= 0),
        CONSTRAINT email_delivery_lease_check CHECK ((status = 'sending') = (lease_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
        CONSTRAINT email_delivery_sent_check CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
        CONSTRAINT email_delivery_skip_reason_check CHECK ((status = 'skipped') = (skip_reason IS NOT NULL)),
        CONSTRAINT email_delivery_error_code_check CHECK (last_error_code IS NULL OR last_error_code ~ '^[A-Za-z0-9_]{1,40}$')
      )`);
    // The dispatcher's claim: due pending rows, and rows whose lease ran out (a crashed dispatcher). Partial,
    // so that the growing history of sent rows never enters these indexes.
    await q.query(`CREATE INDEX email_delivery_pending_due_idx ON email_delivery (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX email_delivery_sending_lease_idx ON email_delivery (lease_expires_at) WHERE status = 'sending'`);
    await q.query(`GRANT SELECT, INSERT ON email_delivery TO ${APP_GROUP_ROLE}`);
    await q.query(
      `GRANT UPDATE (status, attempts, next_attempt_at, lease_token, lease_expires_at, sent_at, last_attempt_at, last_error_code, skip_reason) ON email_delivery TO ${APP_GROUP_ROLE}`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE email_delivery`);
  }
}
