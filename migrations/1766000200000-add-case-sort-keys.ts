import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/**
 * The case list sorts on risk, last incident and next due date as well as on opened (README, "Lists"). Each
 * sort is a keyset page read from an index in its order, so a deep page costs what the first does at 1,000,000
 * cases; that needs the sort keys of a case in one row, beside its table and opened_at: `case_list_key`.
 * - `risk_rank` (low 1, medium 2, high 3), so that "high first" is an index order;
 * - `last_nuisance_at` / `last_offence_at`, the latest incident of each classification: a viewer sorts only on
 *   the incidents they may see (nuisance is `incidents`, offence `criminal`), so each has its own column and
 *   index, and both together their greatest;
 * - `next_due_date`, the earliest due date of the case's open actions.
 * Triggers keep the row in the transaction of the write, whoever writes (the API, erasure, retention, a seed).
 *
 * Why a table of its own and not columns of case_file: every writer of an incident, action or measure holds
 * its case row FOR SHARE while it writes (so that the case is not closed meanwhile); a trigger updating the
 * case row would then wait for the other writer's share lock while that one waits for ours, a deadlock for
 * any two concurrent writes on one case. Nobody else locks a case_list_key row.
 * A trigger locks the key row before it recomputes: two transactions changing one case's actions recompute one
 * after the other, the second seeing the first's rows (each statement in a PL/pgSQL function takes a new
 * snapshot under READ COMMITTED).
 * No value is NULL ('-infinity' for no incident, 'infinity' for no open action), so that the keyset compares
 * rows without NULL handling: without an incident a case sorts as the oldest, without an open action after
 * every due date. Also the index a case's incidents are paged on (keyset, latest first).
 */
/** The keys of every case that has none yet, in one statement: the backfill here, and the bulk load of bench/seed-scale.ts (which loads with the triggers off). */
export const CASE_LIST_KEY_BACKFILL = `
  INSERT INTO case_list_key (case_id, table_id, opened_at, risk_rank, last_nuisance_at, last_offence_at, next_due_date)
  SELECT c.id, c.table_id, c.opened_at, risk_rank(c.risk_level),
         coalesce(i.nuisance, '-infinity'), coalesce(i.offence, '-infinity'), coalesce(a.due, 'infinity')
    FROM case_file c
    LEFT JOIN (SELECT case_id, max(occurred_at) FILTER (WHERE classification = 'nuisance') AS nuisance,
                      max(occurred_at) FILTER (WHERE classification = 'offence') AS offence
                 FROM incident GROUP BY case_id) i ON i.case_id = c.id
    LEFT JOIN (SELECT case_id, min(due_date) AS due FROM action WHERE status = 'open' GROUP BY case_id) a ON a.case_id = c.id
   WHERE NOT EXISTS (SELECT 1 FROM case_list_key k WHERE k.case_id = c.id)`;

/** The triggers that keep case_list_key, by table. */
export const CASE_LIST_KEY_TRIGGERS = { case_file: 'case_file_keeps_list_key', incident: 'incident_keeps_case_keys', action: 'action_keeps_case_due_key' } as const;

export class AddCaseSortKeys1766000200000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE case_list_key (
        case_id uuid NOT NULL,
        table_id uuid NOT NULL,
        opened_at timestamptz NOT NULL,
        risk_rank smallint NOT NULL,
        last_nuisance_at timestamptz NOT NULL DEFAULT '-infinity',
        last_offence_at timestamptz NOT NULL DEFAULT '-infinity',
        next_due_date date NOT NULL DEFAULT 'infinity',
        CONSTRAINT case_list_key_pkey PRIMARY KEY (case_id),
        CONSTRAINT case_list_key_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id) ON DELETE CASCADE
      )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON case_list_key TO ${APP_GROUP_ROLE}`);

    await q.query(`CREATE FUNCTION risk_rank(level text) RETURNS smallint LANGUAGE sql IMMUTABLE AS $$ SELECT (CASE level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)::smallint $$`);
    await q.query(`
      CREATE FUNCTION keep_case_list_key() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO case_list_key (case_id, table_id, opened_at, risk_rank) VALUES (NEW.id, NEW.table_id, NEW.opened_at, risk_rank(NEW.risk_level));
        ELSE
          UPDATE case_list_key SET table_id = NEW.table_id, opened_at = NEW.opened_at, risk_rank = risk_rank(NEW.risk_level) WHERE case_id = NEW.id;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION refresh_case_incident_keys(target uuid) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM case_list_key k WHERE k.case_id = target FOR UPDATE;
        UPDATE case_list_key k SET
          last_nuisance_at = coalesce((SELECT max(i.occurred_at) FROM incident i WHERE i.case_id = target AND i.classification = 'nuisance'), '-infinity'),
          last_offence_at = coalesce((SELECT max(i.occurred_at) FROM incident i WHERE i.case_id = target AND i.classification = 'offence'), '-infinity')
         WHERE k.case_id = target;
      END $$`);
    await q.query(`
      CREATE FUNCTION refresh_case_due_key(target uuid) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM case_list_key k WHERE k.case_id = target FOR UPDATE;
        UPDATE case_list_key k SET
          next_due_date = coalesce((SELECT min(a.due_date) FROM action a WHERE a.case_id = target AND a.status = 'open'), 'infinity')
         WHERE k.case_id = target;
      END $$`);
    await q.query(`
      CREATE FUNCTION keep_case_incident_keys() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- A new incident can only move the latest forward: no read of the case's other incidents (a bulk insert of
        -- many incidents of one case stays linear). The UPDATE re-reads a row another writer changed meanwhile.
        IF TG_OP = 'INSERT' THEN
          UPDATE case_list_key k SET
            last_nuisance_at = CASE WHEN NEW.classification = 'nuisance' THEN greatest(k.last_nuisance_at, NEW.occurred_at) ELSE k.last_nuisance_at END,
            last_offence_at = CASE WHEN NEW.classification = 'offence' THEN greatest(k.last_offence_at, NEW.occurred_at) ELSE k.last_offence_at END
           WHERE k.case_id = NEW.case_id AND NEW.classification IN ('nuisance', 'offence');
          RETURN NULL;
        END IF;
        IF TG_OP <> 'INSERT' THEN PERFORM refresh_case_incident_keys(OLD.case_id); END IF;
        IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.case_id IS DISTINCT FROM OLD.case_id) THEN PERFORM refresh_case_incident_keys(NEW.case_id); END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION keep_case_due_key() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- A new open action can only bring the next due date forward: no read of the case's other actions.
        IF TG_OP = 'INSERT' THEN
          IF NEW.status = 'open' THEN
            UPDATE case_list_key k SET next_due_date = least(k.next_due_date, NEW.due_date) WHERE k.case_id = NEW.case_id;
          END IF;
          RETURN NULL;
        END IF;
        IF TG_OP <> 'INSERT' THEN PERFORM refresh_case_due_key(OLD.case_id); END IF;
        IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.case_id IS DISTINCT FROM OLD.case_id) THEN PERFORM refresh_case_due_key(NEW.case_id); END IF;
        RETURN NULL;
      END $$`);
    // Only the columns that decide a key fire the triggers: a case's notes, an action's description or an incident's place do not.
    await q.query(`CREATE TRIGGER case_file_keeps_list_key AFTER INSERT OR UPDATE OF table_id, opened_at, risk_level ON case_file FOR EACH ROW EXECUTE FUNCTION keep_case_list_key()`);
    await q.query(`
      CREATE TRIGGER incident_keeps_case_keys AFTER INSERT OR DELETE OR UPDATE OF case_id, classification, occurred_at ON incident
        FOR EACH ROW EXECUTE FUNCTION keep_case_incident_keys()`);
    await q.query(`
      CREATE TRIGGER action_keeps_case_due_key AFTER INSERT OR DELETE OR UPDATE OF case_id, status, due_date ON action
        FOR EACH ROW EXECUTE FUNCTION keep_case_due_key()`);

    await q.query(CASE_LIST_KEY_BACKFILL);

    // One index per sort, each (table, key, opened_at, case): read forwards for one direction, backwards for the other.
    await q.query(`CREATE INDEX case_list_key_risk_idx ON case_list_key (table_id, risk_rank, opened_at, case_id)`);
    await q.query(`CREATE INDEX case_list_key_due_idx ON case_list_key (table_id, next_due_date, opened_at, case_id)`);
    await q.query(`CREATE INDEX case_list_key_nuisance_idx ON case_list_key (table_id, last_nuisance_at, opened_at, case_id)`);
    await q.query(`CREATE INDEX case_list_key_offence_idx ON case_list_key (table_id, last_offence_at, opened_at, case_id)`);
    await q.query(`CREATE INDEX case_list_key_incident_idx ON case_list_key (table_id, greatest(last_nuisance_at, last_offence_at), opened_at, case_id)`);
    // A case's incidents, a keyset page at a time (GET /cases/{id}/incidents): latest occurred first, ties by id.
    await q.query(`CREATE INDEX incident_case_page_idx ON incident (case_id, occurred_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX incident_case_page_idx`);
    await q.query(`DROP TRIGGER action_keeps_case_due_key ON action`);
    await q.query(`DROP TRIGGER incident_keeps_case_keys ON incident`);
    await q.query(`DROP TRIGGER case_file_keeps_list_key ON case_file`);
    await q.query(`DROP FUNCTION keep_case_due_key()`);
    await q.query(`DROP FUNCTION keep_case_incident_keys()`);
    await q.query(`DROP FUNCTION refresh_case_due_key(uuid)`);
    await q.query(`DROP FUNCTION refresh_case_incident_keys(uuid)`);
    await q.query(`DROP FUNCTION keep_case_list_key()`);
    await q.query(`DROP FUNCTION risk_rank(text)`);
    await q.query(`DROP TABLE case_list_key`);
  }
}
