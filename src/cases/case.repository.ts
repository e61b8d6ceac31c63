import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { overdueSql } from '../actions/overdue';
import { containsPattern } from '../common/list-query';
import { prepared } from '../db/prepared';
import type { Projection } from '../sharing/access.service';
import { subjectNotRestricted } from '../sharing/restriction';
import { CaseFile, CaseStatus, RiskLevel } from './case.entity';
import { DeadlineKind } from './case-deadline.entity';
import { StrategyKind } from './case-strategy.entity';
import { Subject } from './subject.entity';

export interface CaseListRow {
  id: string;
  table_id: string;
  subject_id: string;
  reference: string;
  status: CaseStatus;
  risk_level: RiskLevel;
  review_date: string | null;
  opened_at: Date;
  closed_at: Date | null;
  /** opened_at to the microsecond, for the cursor (a JS Date keeps milliseconds only). */
  cursor_at: string;
  v_number: string;
  family_name: string | null;
  given_names: string | null;
  date_of_birth: string | null;
  nationality: string | null;
  open_actions: number;
  overdue_actions: number;
  /** The person's processing is restricted: a view shows the case as restricted, without a personal field. */
  restricted: boolean;
  /** The person was erased: a view shows the subject as erased. */
  subject_erased_at: Date | null;
  /** In a page sorted on another key than opened: that key, for the cursor. */
  sort_key?: string | number;
}

export interface StrategyRow { id: string; revision: number; kind: StrategyKind; text: string; createdAt: string | Date }
export interface DeadlineRow { id: string; kind: DeadlineKind; dueDate: string; note: string | null }
export interface TransferRow { id: string; fromTableId: string; toTableId: string; reason: string | null; transferredAt: string | Date }
export interface StatusChangeRow { fromStatus: CaseStatus | null; toStatus: CaseStatus; reason: string | null; changedAt: string }

export interface CaseDetailRow extends CaseListRow {
  coordinator_organisation_id: string | null;
  coordinator_user_id: string | null;
  reception_location: string | null;
  procedure_stage: string | null;
  ind_priority: boolean;
  care_notes: string | null;
  strategies: StrategyRow[];
  deadlines: DeadlineRow[];
  transfers: TransferRow[];
  status_history: StatusChangeRow[];
}

export interface CaseFilters {
  statuses?: CaseStatus[];
  riskLevels?: RiskLevel[];
  hasOverdueActions?: boolean;
  incidentSince?: string;
  /** Incident classifications the viewer may see; only those count for `incidentSince`. */
  incidentClassifications: string[];
  /** The order; newest opened first when absent. */
  sort?: CaseOrder;
  /** A case-insensitive substring (`%`, `_` and `\\` already escaped) of the reference, or also of the person's names and V-number. */
  search?: { text: string; names: boolean };
  /** The position after which the page starts: the sort key of the last row shown (absent for `openedAt`), its opened_at and id. */
  after?: { key?: string | number; openedAt: string; id: string };
}

export const CASE_SORT_FIELDS = ['openedAt', 'riskLevel', 'lastIncidentAt', 'nextDueDate'] as const;
export type CaseSortField = (typeof CASE_SORT_FIELDS)[number];

/**
 * One sort of the case list. `incidentClassifications` says, for `lastIncidentAt`, whose incidents count:
 * only those the viewer may see (nuisance, offence or both), each with its own key column and index.
 */
export interface CaseOrder {
  field: CaseSortField;
  descending: boolean;
}

interface SortKey {
  /** The key as SQL on case_list_key `k` (absent: opened_at itself is the key, read from case_file). */
  sql?: string;
  /** The key as the cursor holds it. */
  cursorSql?: string;
  /** The SQL type a cursor's key is cast to. */
  type?: string;
}

const MICROSECONDS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** The key of a sort, matching the expression of its index in migrations/1766000200000-add-case-sort-keys.ts exactly. */
function sortKey(field: CaseSortField, incidentClassifications: readonly string[]): SortKey {
  switch (field) {
    case 'openedAt':
      return {};
    case 'riskLevel':
      return { sql: 'k.risk_rank', cursorSql: 'k.risk_rank', type: 'smallint' };
    case 'nextDueDate':
      return { sql: 'k.next_due_date', cursorSql: 'k.next_due_date::text', type: 'date' };
    case 'lastIncidentAt': {
      const nuisance = incidentClassifications.includes('nuisance');
      const offence = incidentClassifications.includes('offence');
      const sql = nuisance && offence ? 'greatest(k.last_nuisance_at, k.last_offence_at)' : nuisance ? 'k.last_nuisance_at' : 'k.last_offence_at';
      return { sql, cursorSql: `CASE WHEN isfinite(${sql}) THEN to_char(${sql} AT TIME ZONE 'UTC', ${MICROSECONDS}) ELSE '-infinity' END`, type: 'timestamptz' };
    }
  }
}


export type SubjectFields = Partial<Pick<Subject, 'familyName' | 'givenNames' | 'dateOfBirth' | 'nationality' | 'receptionLocation'>>;
export type CaseFields = Partial<
  Pick<CaseFile, 'riskLevel' | 'reviewDate' | 'coordinatorOrganisationId' | 'coordinatorUserId' | 'procedureStage' | 'indPriority' | 'careNotes'>
>;

/**
 * What a list shows: the case, its subject and its action counts, in one statement whatever the page size.
 * The counts read open actions only, so that the index on open actions by case serves them: a count over
 * all of a case's actions cannot use a partial index and scanned the whole action table per listed case.
 * `today` is the SQL date overdue is judged against (a parameter holding the Clock's today, e.g. `$2::date`).
 */
const SUMMARY_COLUMNS = `c.id, c.table_id, c.subject_id, c.reference, c.status, c.risk_level, c.review_date::text AS review_date,
         c.opened_at, c.closed_at, to_char(c.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
         s.v_number, s.family_name, s.given_names, s.date_of_birth::text AS date_of_birth, s.nationality,
         s.restricted_at IS NOT NULL AS restricted, s.erased_at AS subject_erased_at,
         a.open_actions, a.overdue_actions`;

const actionCounts = (today: string) => `CROSS JOIN LATERAL (
         SELECT count(*)::int AS open_actions, (count(*) FILTER (WHERE ${overdueSql('x', today)}))::int AS overdue_actions
           FROM action x WHERE x.case_id = c.id AND x.status = 'open') a`;

const caseSelect = (today: string, extraColumns = '') => `
  SELECT ${SUMMARY_COLUMNS}${extraColumns}
    FROM case_file c
    JOIN subject s ON s.id = c.subject_id
   ${actionCounts(today)}`;

/**
 * The one case summary (a CaseListRow): the case list and search, the agenda and the session all select it,
 * each adding its own WHERE on `c` (case_file) or `s` (subject), and the parameter holding today.
 */
export const caseSummary = (today: string) => caseSelect(today);

const jsonList = (table: string, fields: Record<string, string>, order: string) => `
  (SELECT coalesce(json_agg(json_build_object(${Object.entries(fields).map(([k, v]) => `'${k}', ${v}`).join(', ')}) ORDER BY ${order}), '[]')
     FROM ${table} x WHERE x.case_id = c.id)`;

/** The rest of the detail view: the case's own fields and its histories as JSON arrays. */
const DETAIL_COLUMNS = `,
  c.coordinator_organisation_id, c.coordinator_user_id, s.reception_location, c.procedure_stage, c.ind_priority, c.care_notes,
  ${jsonList('case_strategy', { id: 'x.id', revision: 'x.revision', kind: 'x.kind', text: 'x.text', createdAt: 'x.created_at' }, 'x.revision')} AS strategies,
  ${jsonList('case_deadline', { id: 'x.id', kind: 'x.kind', dueDate: 'x.due_date', note: 'x.note' }, 'x.due_date, x.id')} AS deadlines,
  ${jsonList('case_transfer', { id: 'x.id', fromTableId: 'x.from_table_id', toTableId: 'x.to_table_id', reason: 'x.reason', transferredAt: 'x.transferred_at' }, 'x.transferred_at')} AS transfers,
  ${jsonList('case_status_change', { fromStatus: 'x.from_status', toStatus: 'x.to_status', reason: 'x.reason', changedAt: 'x.changed_at' }, 'x.changed_at, x.id')} AS status_history`;

/**
 * The detail view as a projection of the access statement (AccessService.requireWith): the case read decides
 * access and reads the whole case in one statement, one round trip. `today` is the Clock's today.
 */
export const caseDetailProjection = (today: string): Projection => ({
  build: (param) => ({ columns: `${SUMMARY_COLUMNS}${DETAIL_COLUMNS}`, joins: actionCounts(`${param(today)}::date`) }),
});

/**
 * The statement of one page of a table's cases: a pure function, so that the benchmark's bare handler runs
 * exactly the application's SQL.
 */
export function casePageStatement(tableId: string, f: CaseFilters, limit: number, today: string): { text: string; values: unknown[] } {
  const params: unknown[] = [tableId, today];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = ['c.table_id = $1'];
  const order = f.sort ?? { field: 'openedAt', descending: true };
  const key = sortKey(order.field, f.incidentClassifications);
  if (f.statuses?.length) where.push(`c.status = ANY(${p(f.statuses)}::text[])`);
  if (f.riskLevels?.length) where.push(`c.risk_level = ANY(${p(f.riskLevels)}::text[])`);
  if (f.hasOverdueActions !== undefined) where.push(`a.overdue_actions ${f.hasOverdueActions ? '> 0' : '= 0'}`);
  if (f.incidentSince !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM incident i WHERE i.case_id = c.id AND i.occurred_at >= ${p(f.incidentSince)}::timestamptz
                                                    AND i.classification = ANY(${p(f.incidentClassifications)}::text[]))`);
  }
  // A filter (or a sort) on a restricted person's case would disclose what it filters on: such a case is left out then.
  if (f.statuses?.length || f.riskLevels?.length || f.hasOverdueActions !== undefined || f.incidentSince !== undefined || key.sql) {
    where.push(subjectNotRestricted('s'));
  }
  if (f.search) {
    const text = p(containsPattern(f.search.text));
    // Names and V-numbers only where the caller may see them, and never a restricted person's: a hit would disclose them.
    const names = f.search.names
      ? ` OR (s.restricted_at IS NULL AND (concat_ws(' ', s.given_names, s.family_name) ILIKE ${text} OR concat_ws(' ', s.family_name, s.given_names) ILIKE ${text}
                                       OR s.v_number LIKE ${text}))`
      : '';
    where.push(`(c.reference ILIKE ${text}${names})`);
  }
  // A row-value comparison, which the index takes as its range: a page deep in the list reads only its own rows.
  const cmp = order.descending ? '<' : '>';
  const dir = order.descending ? 'DESC' : 'ASC';
  const position = () => `${p(f.after!.openedAt)}::timestamptz, ${p(f.after!.id)}::uuid`;
  if (!key.sql) {
    if (f.after) where.push(`(c.opened_at, c.id) ${cmp} (${position()})`);
    // The order of case_file_table_page_idx (table_id, opened_at DESC, id DESC), read either way.
    return {
      text: `${caseSummary('$2::date')} WHERE ${where.join(' AND ')} ORDER BY c.opened_at ${dir}, c.id ${dir} LIMIT ${p(limit)}`,
      values: params,
    };
  }
  // Another key: the page is read from case_list_key in the order of the sort's index, each case joined by its id.
  where[0] = 'k.table_id = $1';
  if (f.after) where.push(`(${key.sql}, k.opened_at, k.case_id) ${cmp} (${p(f.after.key)}::${key.type}, ${position()})`);
  const text = `
  SELECT ${SUMMARY_COLUMNS}, ${key.cursorSql} AS sort_key
    FROM case_list_key k
    JOIN case_file c ON c.id = k.case_id
    JOIN subject s ON s.id = c.subject_id
   ${actionCounts('$2::date')}
   WHERE ${where.join(' AND ')} ORDER BY ${key.sql} ${dir}, k.opened_at ${dir}, k.case_id ${dir} LIMIT ${p(limit)}`;
  return { text, values: params };
}

/** Named queries on cases and subjects. Every method takes the caller's transaction. */
@Injectable()
export class CaseRepository {
  /**
   * Serialises case creation per table (reference numbering, one open case per subject). NO KEY UPDATE, not
   * UPDATE: rows that merely reference the table (its foreign key's key-share lock) neither wait for it nor
   * deadlock with it when they were written earlier in the same transaction.
   */
  async lockTable(m: EntityManager, tableId: string): Promise<{ prefix: string }> {
    const [row] = await m.query(`SELECT case_reference_prefix AS prefix FROM chain_table WHERE id = $1 FOR NO KEY UPDATE`, [tableId]);
    return row;
  }

  /**
   * The next `${prefix}-${year}-NNNN` (the year of `now` in Europe/Amsterdam). Cases transferred away keep
   * their number reserved: they are found through their transfer. Call with the table row locked.
   */
  async nextReference(m: EntityManager, tableId: string, prefix: string, now: Date): Promise<string> {
    const [row] = await m.query(
      `WITH y AS (SELECT to_char($3::timestamptz AT TIME ZONE 'Europe/Amsterdam', 'YYYY') AS year)
       SELECT y.year, (SELECT coalesce(max(substring(c.reference FROM '[0-9]+$')::int), 0) + 1
                         FROM case_file c
                        WHERE (c.table_id = $1 OR c.id IN (SELECT x.case_id FROM case_transfer x WHERE x.from_table_id = $1))
                          AND c.reference ~ ('^' || $2 || '-' || y.year || '-[0-9]+$')) AS next
         FROM y`,
      [tableId, prefix, now],
    );
    return `${prefix}-${row.year}-${String(row.next).padStart(4, '0')}`;
  }

  async isMemberOrganisation(m: EntityManager, tableId: string, organisationId: string): Promise<boolean> {
    const rows = await m.query(`SELECT 1 FROM table_member_organisation WHERE table_id = $1 AND organisation_id = $2 AND left_at IS NULL`, [tableId, organisationId]);
    return rows.length > 0;
  }

  async isTableMember(m: EntityManager, tableId: string, userId: string): Promise<boolean> {
    const rows = await m.query(`SELECT 1 FROM table_membership WHERE table_id = $1 AND user_id = $2 AND ended_at IS NULL`, [tableId, userId]);
    return rows.length > 0;
  }

  /** Finds the person by V-number or creates them; safe against a concurrent creation at another table. */
  async findOrCreateSubject(m: EntityManager, vNumber: string, fields: SubjectFields): Promise<{ id: string; created: boolean; restricted: boolean }> {
    const [created] = await m.query(
      `INSERT INTO subject (v_number, family_name, given_names, date_of_birth, nationality, reception_location)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (v_number) DO NOTHING RETURNING id`,
      [vNumber, fields.familyName ?? null, fields.givenNames ?? null, fields.dateOfBirth ?? null, fields.nationality ?? null, fields.receptionLocation ?? null],
    );
    if (created) return { id: created.id, created: true, restricted: false };
    const [existing] = await m.query(`SELECT id, restricted_at IS NOT NULL AS restricted FROM subject WHERE v_number = $1`, [vNumber]);
    return { id: existing.id, created: false, restricted: existing.restricted };
  }

  async updateSubject(m: EntityManager, subjectId: string, fields: SubjectFields): Promise<void> {
    if (Object.keys(fields).length) await m.update(Subject, { id: subjectId }, fields);
  }

  async findOpenCase(m: EntityManager, tableId: string, subjectId: string): Promise<string | undefined> {
    const [row] = await m.query(`SELECT id FROM case_file WHERE table_id = $1 AND subject_id = $2 AND status <> 'closed'`, [tableId, subjectId]);
    return row?.id;
  }

  async insertCase(m: EntityManager, c: { tableId: string; subjectId: string; reference: string } & CaseFields): Promise<string> {
    const [row] = await m.query(
      `INSERT INTO case_file (table_id, subject_id, reference, status, risk_level, review_date, coordinator_organisation_id,
                              coordinator_user_id, procedure_stage, ind_priority, care_notes)
       VALUES ($1, $2, $3, 'intake', $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [c.tableId, c.subjectId, c.reference, c.riskLevel ?? 'medium', c.reviewDate ?? null, c.coordinatorOrganisationId ?? null,
        c.coordinatorUserId ?? null, c.procedureStage ?? null, c.indPriority ?? false, c.careNotes ?? null],
    );
    return row.id;
  }

  async updateCase(m: EntityManager, caseId: string, fields: CaseFields): Promise<void> {
    if (Object.keys(fields).length) await m.update(CaseFile, { id: caseId }, fields);
  }

  /** Locks the case row: status changes, strategy revisions and transfers of one case run one at a time. */
  async lockCase(m: EntityManager, caseId: string): Promise<{ status: CaseStatus; tableId: string; subjectId: string }> {
    const [row] = await m.query(`SELECT status, table_id AS "tableId", subject_id AS "subjectId" FROM case_file WHERE id = $1 FOR UPDATE`, [caseId]);
    return row;
  }

  /** `at` is the Clock's now: closed_at is when the case's retention period starts. */
  async setStatus(m: EntityManager, caseId: string, status: CaseStatus, at: Date): Promise<void> {
    await m.query(
      `UPDATE case_file SET status = $2, closed_at = CASE WHEN $2 = 'closed' THEN $3::timestamptz END, updated_at = now() WHERE id = $1`,
      [caseId, status, at],
    );
  }

  async insertStatusChange(m: EntityManager, caseId: string, from: CaseStatus | null, to: CaseStatus, reason: string | null, userId: string | null): Promise<void> {
    await m.query(`INSERT INTO case_status_change (case_id, from_status, to_status, reason, changed_by) VALUES ($1, $2, $3, $4, $5)`, [
      caseId, from, to, reason, userId,
    ]);
  }

  /** A new strategy revision (max + 1); call with the case row locked. */
  async insertStrategy(m: EntityManager, caseId: string, kind: StrategyKind, text: string, userId: string | null): Promise<StrategyRow> {
    const [row] = await m.query(
      `INSERT INTO case_strategy (case_id, revision, kind, text, created_by)
       SELECT $1, coalesce(max(revision), 0) + 1, $2, $3, $4 FROM case_strategy WHERE case_id = $1
       RETURNING id, revision, kind, text, created_at AS "createdAt"`,
      [caseId, kind, text, userId],
    );
    return row;
  }

  async findStrategies(m: EntityManager, caseId: string): Promise<StrategyRow[]> {
    return m.query(`SELECT id, revision, kind, text, created_at AS "createdAt" FROM case_strategy WHERE case_id = $1 ORDER BY revision`, [caseId]);
  }

  async insertDeadline(m: EntityManager, caseId: string, d: { kind: DeadlineKind; dueDate: string; note?: string }): Promise<DeadlineRow> {
    const [row] = await m.query(
      `INSERT INTO case_deadline (case_id, kind, due_date, note) VALUES ($1, $2, $3, $4) RETURNING id, kind, due_date::text AS "dueDate", note`,
      [caseId, d.kind, d.dueDate, d.note ?? null],
    );
    return row;
  }

  async findDeadline(m: EntityManager, caseId: string, deadlineId: string): Promise<{ kind: DeadlineKind } | undefined> {
    const [row] = await m.query(`SELECT kind FROM case_deadline WHERE id = $1 AND case_id = $2 FOR UPDATE`, [deadlineId, caseId]);
    return row;
  }

  async deleteDeadline(m: EntityManager, deadlineId: string): Promise<void> {
    await m.query(`DELETE FROM case_deadline WHERE id = $1`, [deadlineId]);
  }

  async isActiveTable(m: EntityManager, tableId: string): Promise<boolean> {
    return (await m.query(`SELECT 1 FROM chain_table WHERE id = $1 AND active`, [tableId])).length > 0;
  }

  /** Moves the case; the coordinator belonged to the old table, so the new table appoints its own. */
  async moveCase(m: EntityManager, caseId: string, from: string, to: string, reason: string | null, userId: string | null): Promise<TransferRow> {
    await m.query(
      `UPDATE case_file SET table_id = $2, coordinator_organisation_id = NULL, coordinator_user_id = NULL, updated_at = now() WHERE id = $1`,
      [caseId, to],
    );
    const [row] = await m.query(
      `INSERT INTO case_transfer (case_id, from_table_id, to_table_id, reason, transferred_by) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, from_table_id AS "fromTableId", to_table_id AS "toTableId", reason, transferred_at AS "transferredAt"`,
      [caseId, from, to, reason, userId],
    );
    return row;
  }

  /** The whole case as the detail view shows it, in one statement; overdue as of `today`. */
  async findDetail(m: EntityManager, caseId: string, today: string): Promise<CaseDetailRow | undefined> {
    const [row] = await m.query(
      `${caseSelect('$2::date', DETAIL_COLUMNS)}
       WHERE c.id = $1`,
      [caseId, today],
    );
    return row;
  }

  /** One page of a table's cases, newest first, in one statement whatever the page size; overdue as of `today`. */
  async findPage(m: EntityManager, tableId: string, f: CaseFilters, limit: number, today: string): Promise<CaseListRow[]> {
    const { text, values } = casePageStatement(tableId, f, limit, today);
    // Prepared: the texts are the few combinations of filters.
    return prepared(m, text, values);
  }

  /** The summaries of the given cases that are (still) at the table; overdue as of `today`. */
  async findSummaries(m: EntityManager, tableId: string, caseIds: string[], today: string): Promise<CaseListRow[]> {
    if (!caseIds.length) return [];
    return m.query(`${caseSummary('$3::date')} WHERE c.id = ANY($1::uuid[]) AND c.table_id = $2`, [caseIds, tableId, today]);
  }

  /** A person's cases at the given tables, found by exact V-number; overdue as of `today`. A restricted person is not found. */
  async findByVNumber(m: EntityManager, vNumber: string, tableIds: string[], today: string): Promise<CaseListRow[]> {
    return m.query(`${caseSummary('$3::date')} WHERE s.v_number = $1 AND c.table_id = ANY($2::uuid[]) AND ${subjectNotRestricted('s')} ORDER BY c.opened_at DESC, c.id`, [
      vNumber,
      tableIds,
      today,
    ]);
  }
}
