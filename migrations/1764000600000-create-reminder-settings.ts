import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/**
 * Reminders, alerts and the scheduled draft agenda between meetings (DOMAIN.md section 8).
 *
 * - `table_reminder_settings`: the working days a table changed from the defaults (one row only for a table
 *   that changed one; the code holds the defaults, as for `table_escalation_settings`). The bounds are the
 *   API's; an overdue alert never comes before the overdue notice.
 * - `reminder_occasion`: every occasion (a cause such as `reminder:action-due:<id>:<due date>`) that a
 *   reminder job handled, written in the job's transaction with its notifications. The sweep leaves out what
 *   is listed here, so that it enqueues each occasion once rather than every run; the notifications' own
 *   (recipient, cause) key still keeps a notice single when two jobs of one occasion race.
 * - Partial indexes for the sweep, so that a run reads only the open actions, requested escalations and
 *   undrafted planned meetings in its few days' window, however many rows the tables hold.
 */
export class CreateReminderSettings1764000600000 implements MigrationInterface {
  name = 'CreateReminderSettings1764000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE table_reminder_settings (
        table_id uuid NOT NULL,
        action_due_reminder_working_days integer NOT NULL DEFAULT 2,
        action_overdue_notice_working_days integer NOT NULL DEFAULT 1,
        action_overdue_alert_working_days integer NOT NULL DEFAULT 5,
        escalation_response_reminder_working_days integer NOT NULL DEFAULT 1,
        agenda_draft_working_days integer NOT NULL DEFAULT 2,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT table_reminder_settings_pkey PRIMARY KEY (table_id),
        CONSTRAINT table_reminder_settings_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT table_reminder_settings_action_due_check CHECK (action_due_reminder_working_days BETWEEN 0 AND 20),
        CONSTRAINT table_reminder_settings_overdue_notice_check CHECK (action_overdue_notice_working_days BETWEEN 1 AND 20),
        CONSTRAINT table_reminder_settings_overdue_alert_check CHECK (action_overdue_alert_working_days BETWEEN 1 AND 60),
        CONSTRAINT table_reminder_settings_alert_after_notice_check CHECK (action_overdue_alert_working_days >= action_overdue_notice_working_days),
        CONSTRAINT table_reminder_settings_escalation_check CHECK (escalation_response_reminder_working_days BETWEEN 0 AND 20),
        CONSTRAINT table_reminder_settings_agenda_draft_check CHECK (agenda_draft_working_days BETWEEN 1 AND 20)
      )`);

    await q.query(`
      CREATE TABLE reminder_occasion (
        cause text NOT NULL,
        table_id uuid NOT NULL,
        recipient_count integer NOT NULL,
        handled_at timestamptz NOT NULL,
        CONSTRAINT reminder_occasion_pkey PRIMARY KEY (cause),
        CONSTRAINT reminder_occasion_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT reminder_occasion_recipient_count_check CHECK (recipient_count >= 0)
      )`);

    await q.query(`CREATE INDEX action_open_due_date_idx ON action (due_date) WHERE status = 'open'`);
    await q.query(`CREATE INDEX escalation_requested_response_due_idx ON escalation (response_due_date) WHERE status = 'requested'`);
    await q.query(`CREATE INDEX meeting_planned_undrafted_idx ON meeting (scheduled_at) WHERE status = 'planned' AND agenda_drafted_at IS NULL`);

    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON table_reminder_settings TO ${APP_GROUP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON reminder_occasion TO ${APP_GROUP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX meeting_planned_undrafted_idx`);
    await q.query(`DROP INDEX escalation_requested_response_due_idx`);
    await q.query(`DROP INDEX action_open_due_date_idx`);
    await q.query(`DROP TABLE reminder_occasion`);
    await q.query(`DROP TABLE table_reminder_settings`);
  }
}
