/**
 * Since when a grant of the covenant in force has held without interruption: the moment the first version
 * of the unbroken run of versions granting it (up to the current one) was saved. A grant removed in
 * version 3 and given back in version 5 is granted since version 5.
 *
 * An SQL expression over `tableId`, `typeExpr` and `categoryExpr` (columns or parameters of the enclosing
 * query); the current version is the table's `current_covenant_version_id`.
 */
export const grantedSinceSql = (tableId: string, typeExpr: string, categoryExpr: string) => `(
  SELECT min(v.created_at)
    FROM covenant_version v
    JOIN covenant_version cur ON cur.id = (SELECT current_covenant_version_id FROM chain_table WHERE id = ${tableId})
   WHERE v.table_id = ${tableId}
     AND v.version <= cur.version
     AND v.version > coalesce((
           SELECT max(gap.version)
             FROM covenant_version gap
            WHERE gap.table_id = ${tableId}
              AND gap.version <= cur.version
              AND NOT EXISTS (SELECT 1 FROM covenant_grant gg
                               WHERE gg.covenant_version_id = gap.id AND gg.organisation_type = ${typeExpr} AND gg.category = ${categoryExpr})), 0))`;
