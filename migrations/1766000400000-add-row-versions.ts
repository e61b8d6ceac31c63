import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every table with a PATCH route: its rows carry the version that their strong ETag names. */
export const VERSIONED_TABLES = [
  'organisation',
  'app_user',
  'api_client',
  'chain_table',
  'table_membership',
  'case_file',
  'measure',
  'meeting',
  'agenda_item',
  'webhook_subscription',
] as const;

/**
 * A `version` per row, for `ETag` and `If-Match` (RFC 9110 section 13.1.1): a trigger bumps it on every
 * UPDATE of the row, whatever path makes it (a PATCH, a transition, a job), so an ETag is never reused for
 * a changed row. The number says nothing but how often the row changed.
 */
export class AddRowVersions1766000400000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION bump_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.version := OLD.version + 1;
        RETURN NEW;
      END $$`);
    for (const table of VERSIONED_TABLES) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN version integer NOT NULL DEFAULT 1`);
      await q.query(`CREATE TRIGGER ${table}_bump_version BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION bump_row_version()`);
    }
    // BEFORE triggers fire in the order of their names: meeting_bump_version runs before meeting_closed_is_final,
    // so the guard sees the new version. Erasure may still rewrite the frozen minutes of a closed meeting (and so
    // bump its version), and nothing else of it.
    await q.query(forbidClosedMeetingChange(`(to_jsonb(NEW) - 'minutes' - 'version') = (to_jsonb(OLD) - 'minutes' - 'version')`));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(forbidClosedMeetingChange(`(to_jsonb(NEW) - 'minutes') = (to_jsonb(OLD) - 'minutes')`));
    for (const table of VERSIONED_TABLES) {
      await q.query(`DROP TRIGGER ${table}_bump_version ON ${table}`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN version`);
    }
    await q.query(`DROP FUNCTION bump_row_version()`);
  }
}

/** The guard of closed meetings (first in 1763900300000, erasure's exception in 1764001000000), with `unchanged` as its test. */
const forbidClosedMeetingChange = (unchanged: string) => `
  CREATE OR REPLACE FUNCTION forbid_closed_meeting_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF OLD.status = 'closed' THEN
      -- Erasure may rewrite the frozen minutes of a closed meeting, and nothing else of it.
      IF TG_OP = 'UPDATE' AND current_setting('ketentafel.minutes_erasure', true) = 'on' AND ${unchanged} THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'meeting % is closed; add an addendum instead', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END $$`;
