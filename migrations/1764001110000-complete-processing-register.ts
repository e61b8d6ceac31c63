import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The register of processing activities (art. 30 AVG) becomes complete and cannot be pointed past:
 * - each activity records whose data it holds (`data_subject_categories`), and gets a Dutch name and
 *   purpose (the texts of src/tables/register-entries.ts as they are today; a migration does not follow
 *   the code);
 * - a covenant grant's activity must be of the grant's own category (composite foreign key) and of the
 *   grant's own table (trigger): a grant can only point at the entry that describes it;
 * - a processing-log entry's activity must exist (foreign key; adding it does not change the rows, so the
 *   hash chain is untouched).
 */
const NAMES: Record<string, string> = {
  identity: 'Identificatie van de besproken persoon',
  residence: 'Verblijf en overplaatsingen',
  procedure: 'Afstemming met de asielprocedure en het voorrangsspoor',
  incidents: 'Registratie van overlast- en huisregelincidenten',
  criminal: 'Strafrechtelijke gegevens (art. 10 AVG)',
  measures: 'Opgelegde maatregelen',
  care: 'Zorg en kwetsbaarheid (art. 9 AVG)',
  return: 'Vertrek en terugkeer',
  deliberation: 'Besluiten en afspraken van het casusoverleg',
};
const PREFIX = 'Casusoverleg over overlast en criminaliteit door asielzoekers: ';
const PURPOSES: Record<string, string> = {
  identity: `${PREFIX}vaststellen om wie het gaat, zodat alle ketenpartners aan tafel dezelfde persoon bespreken.`,
  residence: `${PREFIX}weten waar de persoon verblijft en overplaatsingen volgen, zodat de juiste tafel de casus behandelt.`,
  procedure: `${PREFIX}de aanpak afstemmen op de stand van de asielprocedure en het voorrangsspoor van de IND.`,
  incidents: `${PREFIX}overlast- en huisregelincidenten vastleggen als grond voor maatregelen (dossieropbouw).`,
  criminal: `${PREFIX}verdenkingen, aangiften en veroordelingen delen voor een snelle strafrechtelijke reactie en dossieropbouw.`,
  measures: `${PREFIX}opgelegde maatregelen op elkaar afstemmen en volgen (lik-op-stuk).`,
  care: `${PREFIX}rekening houden met zorg, kwetsbaarheid en voogdij over minderjarigen.`,
  return: `${PREFIX}de aanpak afstemmen op het vertrektraject (DT&V, TTOV).`,
  deliberation: `${PREFIX}besluiten en afspraken (welke actie door wie) vastleggen en opvolgen.`,
};

export class CompleteProcessingRegister1764001110000 implements MigrationInterface {
  name = 'CompleteProcessingRegister1764001110000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE processing_activity
        ADD COLUMN data_subject_categories text[] NOT NULL DEFAULT '{foreign_national}',
        ADD CONSTRAINT processing_activity_data_subject_categories_check
          CHECK (cardinality(data_subject_categories) > 0 AND data_subject_categories <@ ARRAY['foreign_national','chain_partner_staff']::text[])`);
    await q.query(`ALTER TABLE processing_activity ALTER COLUMN data_subject_categories DROP DEFAULT`);
    await q.query(`UPDATE processing_activity SET data_subject_categories = '{foreign_national,chain_partner_staff}' WHERE category = 'deliberation'`);
    const categories = Object.keys(NAMES);
    await q.query(
      `UPDATE processing_activity pa SET name = t.name || ': ' || x.n, purpose = x.p
         FROM chain_table t, unnest($1::text[], $2::text[], $3::text[]) AS x(c, n, p)
        WHERE t.id = pa.table_id AND pa.category = x.c`,
      [categories, categories.map((c) => NAMES[c]), categories.map((c) => PURPOSES[c])],
    );

    await q.query(`ALTER TABLE processing_activity ADD CONSTRAINT processing_activity_id_category_key UNIQUE (id, category)`);
    await q.query(`
      ALTER TABLE covenant_grant
        ADD CONSTRAINT covenant_grant_processing_activity_category_fkey
        FOREIGN KEY (processing_activity_id, category) REFERENCES processing_activity (id, category)`);
    await q.query(`
      CREATE FUNCTION covenant_grant_activity_of_own_table() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (
          SELECT 1 FROM processing_activity pa JOIN covenant_version v ON v.table_id = pa.table_id
           WHERE pa.id = NEW.processing_activity_id AND v.id = NEW.covenant_version_id
        ) THEN
          RAISE EXCEPTION 'covenant grant % points at a processing activity of another table', NEW.id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'covenant_grant_processing_activity_table_check';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER covenant_grant_activity_of_own_table BEFORE INSERT OR UPDATE ON covenant_grant
        FOR EACH ROW EXECUTE FUNCTION covenant_grant_activity_of_own_table()`);

    await q.query(`
      ALTER TABLE processing_log
        ADD CONSTRAINT processing_log_processing_activity_fkey
        FOREIGN KEY (processing_activity_id) REFERENCES processing_activity (id) NOT VALID`);
    await q.query(`ALTER TABLE processing_log VALIDATE CONSTRAINT processing_log_processing_activity_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE processing_log DROP CONSTRAINT processing_log_processing_activity_fkey`);
    await q.query(`DROP TRIGGER covenant_grant_activity_of_own_table ON covenant_grant`);
    await q.query(`DROP FUNCTION covenant_grant_activity_of_own_table()`);
    await q.query(`ALTER TABLE covenant_grant DROP CONSTRAINT covenant_grant_processing_activity_category_fkey`);
    await q.query(`ALTER TABLE processing_activity DROP CONSTRAINT processing_activity_id_category_key`);
    await q.query(`ALTER TABLE processing_activity DROP COLUMN data_subject_categories`);
  }
}
