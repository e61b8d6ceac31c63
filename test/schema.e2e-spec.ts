import { getMetadataArgsStorage } from 'typeorm';
import { CASE_CONTENT_ENTITIES } from '../src/db/entities';
import { categoryTags, notPersonalFields } from '../src/sharing/disclosure';
import { startTestApp, TestApp } from './support/test-app';

// Matched against the name's words, so that e.g. trace_id does not count as "race".
const FORBIDDEN_WORDS = /^(ethnic|ethnicity|etnisch|etniciteit|religion|religious|religie|geloof|godsdienst|race|ras|afkomst|faith|belief)$/i;
const forbidden = (name: string) => name.split(/[_\W]+/).some((w) => FORBIDDEN_WORDS.test(w));

describe('schema guards', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ seed: false });
  });
  afterAll(() => t.close());

  it('has no column for ethnicity or religion anywhere in the database', async () => {
    const columns: { table_name: string; column_name: string }[] = await t.dataSource.query(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    expect(columns.length).toBeGreaterThan(50);
    expect(columns.filter((c) => forbidden(c.column_name) || forbidden(c.table_name))).toEqual([]);
    // The guard itself must catch such a column.
    expect(forbidden('subject_ethnicity')).toBe(true);
    expect(forbidden('religion')).toBe(true);
  });

  it('tags every column of every case-content entity with a category or as not personal', () => {
    const untagged: string[] = [];
    for (const entity of CASE_CONTENT_ENTITIES) {
      const tagged = new Set([...categoryTags(entity).keys(), ...notPersonalFields(entity)]);
      const columns = getMetadataArgsStorage().columns.filter((c) => c.target === entity);
      expect(columns.length).toBeGreaterThan(2);
      for (const c of columns) if (!tagged.has(c.propertyName)) untagged.push(`${entity.name}.${c.propertyName}`);
    }
    expect(untagged).toEqual([]);
  });

  it('maps every case-content entity to a table that exists', async () => {
    const tables: { table_name: string }[] = await t.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    const names = new Set(tables.map((r) => r.table_name));
    for (const entity of CASE_CONTENT_ENTITIES) expect(names).toContain(t.dataSource.getMetadata(entity).tableName);
  });
});
