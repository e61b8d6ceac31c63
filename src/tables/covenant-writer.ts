import { EntityManager } from 'typeorm';
import type { OrganisationType } from '../auth/permissions';
import { CATEGORIES, Category, DEFAULT_LEGAL_BASIS, DEFAULT_MATRIX, LawfulGround, MemberOrganisationType } from '../sharing/categories';
import { ACTIVITY_PURPOSES, activityName, defaultDataSubjects } from './register-entries';

export interface GrantInput {
  organisationType: MemberOrganisationType;
  category: Category;
  lawfulGround: LawfulGround;
  legalBasis: string;
}

/** The default covenant of DOMAIN.md section 7, with default legal bases. */
export function defaultGrants(): GrantInput[] {
  return CATEGORIES.flatMap((category) =>
    DEFAULT_MATRIX[category].map((organisationType) => ({
      organisationType,
      category,
      lawfulGround: organisationType === 'NIDOS' ? ('legal_obligation' as const) : ('public_task' as const),
      legalBasis: DEFAULT_LEGAL_BASIS[organisationType],
    })),
  );
}

/** Creates the table's register of processing activities: one activity per category (see register-entries.ts). */
export async function createProcessingActivities(m: EntityManager, tableId: string, tableName: string): Promise<void> {
  await m.query(
    `INSERT INTO processing_activity (table_id, category, name, purpose, data_subject_categories)
     SELECT $1, c, n, p, string_to_array(s, ',') FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(c, n, p, s)`,
    [
      tableId,
      CATEGORIES,
      CATEGORIES.map((c) => activityName(tableName, c)),
      CATEGORIES.map((c) => ACTIVITY_PURPOSES[c]),
      CATEGORIES.map((c) => defaultDataSubjects(c).join(',')),
    ],
  );
}

/** After the table is renamed: the register names its activities after the table. */
export async function renameProcessingActivities(m: EntityManager, tableId: string, tableName: string): Promise<void> {
  await m.query(
    `UPDATE processing_activity pa SET name = x.n FROM unnest($2::text[], $3::text[]) AS x(c, n) WHERE pa.table_id = $1 AND pa.category = x.c`,
    [tableId, CATEGORIES, CATEGORIES.map((c) => activityName(tableName, c))],
  );
}

/**
 * Saves a new covenant version with these grants and makes it current. Versions are never edited;
 * the new one applies from this moment (the access query reads the current version).
 * Call inside a transaction; locks the table row so that concurrent saves get consecutive versions.
 */
export async function saveCovenantVersion(
  m: EntityManager,
  tableId: string,
  grants: GrantInput[],
  createdBy: string | null,
  changeNote: string,
): Promise<{ id: string; version: number }> {
  await m.query('SELECT 1 FROM chain_table WHERE id = $1 FOR UPDATE', [tableId]);
  const [{ next }] = await m.query('SELECT coalesce(max(version), 0) + 1 AS next FROM covenant_version WHERE table_id = $1', [tableId]);
  const [version] = await m.query(
    `INSERT INTO covenant_version (table_id, version, created_by, change_note) VALUES ($1, $2, $3, $4) RETURNING id, version`,
    [tableId, next, createdBy, changeNote],
  );
  if (grants.length) {
    await m.query(
      `INSERT INTO covenant_grant (covenant_version_id, organisation_type, category, lawful_ground, legal_basis, processing_activity_id)
       SELECT $1, g.t, g.c, g.ground, g.basis, pa.id
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS g(t, c, ground, basis)
         JOIN processing_activity pa ON pa.table_id = $6 AND pa.category = g.c`,
      [
        version.id,
        grants.map((g) => g.organisationType as OrganisationType),
        grants.map((g) => g.category),
        grants.map((g) => g.lawfulGround),
        grants.map((g) => g.legalBasis),
        tableId,
      ],
    );
  }
  await m.query('UPDATE chain_table SET current_covenant_version_id = $1, updated_at = now() WHERE id = $2', [version.id, tableId]);
  return { id: version.id, version: version.version };
}
