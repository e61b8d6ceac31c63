import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every agenda reason carries the category it is disclosed under. Readers used to take a reason without
 * one as deliberation, which every member organisation sees; now they show it to nobody, and the database
 * refuses it. The categories are listed here as they are today (a migration does not follow the code).
 */
const CATEGORIES = ['identity', 'residence', 'procedure', 'incidents', 'criminal', 'measures', 'care', 'return', 'deliberation'];
const KNOWN = CATEGORIES.map((c) => `'${c}'`).join(', ');
/** Matches an element that is not an object with a known category string (jsonpath, lax mode). */
const INVALID = `$[*] ? (!(@.category.type() == "string" && (${CATEGORIES.map((c) => `@.category == "${c}"`).join(' || ')})))`;

export class RequireAgendaReasonCategories1764000100000 implements MigrationInterface {
  name = 'RequireAgendaReasonCategories1764000100000';

  async up(q: QueryRunner): Promise<void> {
    // Backfill, failing closed: a reason derived from incidents may be about offences, so it is taken as
    // criminal (the narrowest an incident can be); the others are the table's own deliberation.
    await q.query(`
      UPDATE agenda_item ai
         SET reasons = (
               SELECT coalesce(jsonb_agg(
                        CASE WHEN jsonb_typeof(e.r) = 'object' AND jsonb_typeof(e.r->'category') = 'string' AND e.r->>'category' IN (${KNOWN}) THEN e.r
                             WHEN jsonb_typeof(e.r) = 'object' THEN e.r || jsonb_build_object('category',
                                  CASE WHEN e.r->>'code' IN ('severe_incident', 'new_incidents') THEN 'criminal' ELSE 'deliberation' END)
                             ELSE jsonb_build_object('code', 'other', 'detail', e.r #>> '{}', 'category', 'deliberation', 'origin', 'chair') END
                        ORDER BY e.n), '[]'::jsonb)
                 FROM jsonb_array_elements(ai.reasons) WITH ORDINALITY AS e(r, n))
       WHERE jsonb_typeof(ai.reasons) = 'array' AND jsonb_path_exists(ai.reasons, '${INVALID}')`);
    await q.query(`UPDATE agenda_item SET reasons = '[]'::jsonb WHERE reasons IS NULL OR jsonb_typeof(reasons) <> 'array'`);
    await q.query(`
      ALTER TABLE agenda_item
        ADD CONSTRAINT agenda_item_reasons_category_check
        CHECK (jsonb_typeof(reasons) = 'array' AND NOT jsonb_path_exists(reasons, '${INVALID}'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The backfilled categories stay: they are what the readers need either way.
    await q.query(`ALTER TABLE agenda_item DROP CONSTRAINT agenda_item_reasons_category_check`);
  }
}
