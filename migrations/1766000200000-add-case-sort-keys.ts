import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The case list sorts on risk, last incident and next due date as well as on opened (README, "Lists"). Each
 * sort is a keyset page read from an index in its order, so a deep page costs what the first does at 1,000,000
 * cases; that needs the sort keys on case_file itself:
 * - `risk_rank` (low 1, medium 2, high 3), generated from `risk_level`, so that "high first" is an index order;
 * - `last_nuisance_at` / `last_offence_at`, the latest incident of each classification: a viewer sorts only on
 *   the incidents they may see (nuisance is `incidents`, offence `criminal`), so each has its own column and
 *   both together their greatest;
 * - `next_due_date`, the earliest due date of the case's open actions.
 * The last three are kept by triggers, in the transaction of the write, whoever writes (the API, erasure,
 * retention, a seed). The trigger locks the case row before it recomputes: two transactions changing the same
 * case's actions then recompute one after the other, the second seeing the first's rows (a statement in a
 * PL/pgSQL function takes a new snapshot under READ COMMITTED). FOR NO KEY UPDATE does not conflict with the
 * key-share lock the foreign key takes, so an insert of an action does not deadlock with another.
 * No value is a sentinel ('-infinity' for no incident, 'infinity' for no open action), so that the keyset
 * compares rows without NULL handling: without an incident a case sorts as the oldest, without an open action
 * after every due date.
 */
export class AddCaseSortKeys1766000200000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE case_file
        ADD COLUMN risk_rank smallint GENERATED ALWAYS AS (CASE risk_level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) STORED,
        ADD COLUMN last_nuisance_at timestamptz NOT NULL DEFAULT '-infinity',
        ADD COLUMN last_offence_at timestamptz NOT NULL DEFAULT '-infinity',
        ADD COLUMN next_due_date date NOT NULL DEFAULT 'infinity'`);

    await q.query(`
      CREATE FUNCTION refresh_case_incident_keys(target uuid) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM case_file c WHERE c.id = target FOR NO KEY UPDATE;
        UPDATE case_file c SET
          last_nuisance_at = coalesce((SELECT max(i.occurred_at) FROM incident i WHERE i.case_id = c.id AND i.classification = 'nuisance'), '-infinity'),
          last_offence_at = coalesce((SELECT max(i.occurred_at) FROM incident i WHERE i.case_id = c.id AND i.classification = 'offence'), '-infinity')
         WHERE c.id = target;
      END $$`);
    await q.query(`
      CREATE FUNCTION refresh_case_due_key(target uuid) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM case_file c WHERE c.id = target FOR NO KEY UPDATE;
        UPDATE case_file c SET
          next_due_date = coalesce((SELECT min(a.due_date) FROM action a WHERE a.case_id = c.id AND a.status = 'open'), 'infinity')
         WHERE c.id = target;
      END $$`);
    await q.query(`
      CREATE FUNCTION keep_case_incident_keys() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM refresh_case_incident_keys(OLD.case_id); END IF;
        IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.case_id IS DISTINCT FROM OLD.case_id) THEN PERFORM refresh_case_incident_keys(NEW.case_id); END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION keep_case_due_key() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM refresh_case_due_key(OLD.case_id); END IF;
        IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.case_id IS DISTINCT FROM OLD.case_id) THEN PERFORM refresh_case_due_key(NEW.case_id); END IF;
        RETURN NULL;
      END $$`);
    // Only the columns that decide a key fire the triggers: an action's description or an incident's place do not.
    await q.query(`
      CREATE TRIGGER incident_keeps_case_keys AFTER INSERT OR DELETE OR UPDATE OF case_id, classification, occurred_at ON incident
        FOR EACH ROW EXECUTE FUNCTION keep_case_incident_keys()`);
    await q.query(`
      CREATE TRIGGER action_keeps_case_due_key AFTER INSERT OR DELETE OR UPDATE OF case_id, status, due_date ON action
        FOR EACH ROW EXECUTE FUNCTION keep_case_due_key()`);

    // Backfill, one statement per key.
    await q.query(`
      UPDATE case_file c SET last_nuisance_at = x.at
        FROM (SELECT case_id, max(occurred_at) AS at FROM incident WHERE classification = 'nuisance' GROUP BY case_id) x WHERE x.case_id = c.id`);
    await q.query(`
      UPDATE case_file c SET last_offence_at = x.at
        FROM (SELECT case_id, max(occurred_at) AS at FROM incident WHERE classification = 'offence' GROUP BY case_id) x WHERE x.case_id = c.id`);
    await q.query(`
      UPDATE case_file c SET next_due_date = x.due
        FROM (SELECT case_id, min(due_date) AS due FROM action WHERE status = 'open' GROUP BY case_id) x WHERE x.case_id = c.id`);

    // One index per sort, each (table, key, opened_at, id): read forwards for one direction, backwards for the other.
    await q.query(`CREATE INDEX case_file_table_risk_idx ON case_file (table_id, risk_rank, opened_at, id)`);
    await q.query(`CREATE INDEX case_file_table_due_idx ON case_file (table_id, next_due_date, opened_at, id)`);
    await q.query(`CREATE INDEX case_file_table_nuisance_idx ON case_file (table_id, last_nuisance_at, opened_at, id)`);
    await q.query(`CREATE INDEX case_file_table_offence_idx ON case_file (table_id, last_offence_at, opened_at, id)`);
    await q.query(`CREATE INDEX case_file_table_incident_idx ON case_file (table_id, greatest(last_nuisance_at, last_offence_at), opened_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER action_keeps_case_due_key ON action`);
    await q.query(`DROP TRIGGER incident_keeps_case_keys ON incident`);
    await q.query(`DROP FUNCTION keep_case_due_key()`);
    await q.query(`DROP FUNCTION keep_case_incident_keys()`);
    await q.query(`DROP FUNCTION refresh_case_due_key(uuid)`);
    await q.query(`DROP FUNCTION refresh_case_incident_keys(uuid)`);
    await q.query(`ALTER TABLE case_file DROP COLUMN next_due_date, DROP COLUMN last_offence_at, DROP COLUMN last_nuisance_at, DROP COLUMN risk_rank`);
  }
}
