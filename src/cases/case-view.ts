import { PageViewOf } from '../common/pagination';
import type { Category as CategoryName } from '../sharing/categories';
import { categoriesOf, Category, disclose, NotPersonal, PER_RECORD } from '../sharing/disclosure';
import { CASE_STATUSES, CaseStatus, RISK_LEVELS, RiskLevel } from './case.entity';
import { DEADLINE_CATEGORY, DEADLINE_KINDS, DeadlineKind } from './case-deadline.entity';
import { STRATEGY_KINDS, StrategyKind } from './case-strategy.entity';
import type { CaseDetailRow, CaseListRow, DeadlineRow, StatusChangeRow, StrategyRow, TransferRow } from './case.repository';

/**
 * Response views of cases. Every field is tagged; responses are built by `disclose()` only, so a field of
 * a category the viewer's organisation is not granted is absent. Nested views are disclosed on their own
 * as well, and their container field carries the category of everything inside it.
 */

export class SubjectView {
  @Category('identity', { example: '1234567890', description: 'Vreemdelingennummer.' }) vNumber: string;
  @Category('identity', { type: String, nullable: true }) familyName: string | null;
  @Category('identity', { type: String, nullable: true }) givenNames: string | null;
  @Category('identity', { type: String, format: 'date', nullable: true }) dateOfBirth: string | null;
  @Category('identity', { type: String, nullable: true, description: 'ISO 3166-1 alpha-3.' }) nationality: string | null;
  @NotPersonal({ type: String, format: 'date-time', description: 'Present when the person was erased (art. 17 AVG or retention): no identity is held any more.' })
  erasedAt?: string;
}

export class StrategyView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ type: 'integer', minimum: 1, description: 'Revision number, 1 for the first strategy.' }) revision: number;
  @Category('deliberation', { enum: STRATEGY_KINDS }) kind: StrategyKind;
  @Category('deliberation') text: string;
  @Category('deliberation', { format: 'date-time' }) createdAt: string;
}

export class DeadlineView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ enum: ['return', 'procedure', 'deliberation'], description: 'The category of this deadline, decided by its kind.' }) category: CategoryName;
  @Category(PER_RECORD, { enum: DEADLINE_KINDS }) kind: DeadlineKind;
  @Category(PER_RECORD, { format: 'date' }) dueDate: string;
  @Category(PER_RECORD, { type: String, nullable: true }) note: string | null;
}

export class TransferView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @Category('residence', { format: 'uuid' }) fromTableId: string;
  @Category('residence', { format: 'uuid' }) toTableId: string;
  @Category('residence', { type: String, nullable: true }) reason: string | null;
  @Category('residence', { format: 'date-time' }) transferredAt: string;
}

export class StatusChangeView {
  @Category('deliberation', { enum: CASE_STATUSES, nullable: true, description: 'Null for the opening of the case.' }) fromStatus: CaseStatus | null;
  @Category('deliberation', { enum: CASE_STATUSES }) toStatus: CaseStatus;
  @Category('deliberation', { type: String, nullable: true }) reason: string | null;
  @Category('deliberation', { format: 'date-time' }) changedAt: string;
}

/** What a list shows of a case; also the items of a subject search. */
export class CaseListItemView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid', description: 'The table the case is discussed at now.' }) tableId: string;
  @NotPersonal({ example: 'HWK-2026-0001' }) reference: string;
  @Category('deliberation', { enum: CASE_STATUSES }) status: CaseStatus;
  @Category('deliberation', { enum: RISK_LEVELS }) riskLevel: RiskLevel;
  @Category('deliberation', { type: String, format: 'date', nullable: true }) reviewDate: string | null;
  @Category('deliberation', { format: 'date-time' }) openedAt: string;
  @Category('deliberation', { type: String, format: 'date-time', nullable: true }) closedAt: string | null;
  @Category('identity', { type: () => SubjectView }) subject: Partial<SubjectView>;
  @Category('deliberation', { type: 'integer', description: 'Open actions.' }) openActions: number;
  @Category('deliberation', { type: 'integer', description: 'Open actions past their due date (Europe/Amsterdam).' }) overdueActions: number;
  @NotPersonal({ type: Boolean, enum: [true], description: "Present when the person's processing is restricted (art. 18 AVG): the case is then shown with its id, table and reference only." })
  restricted?: true;
}

export class CaseDetailView extends CaseListItemView {
  @Category('deliberation', { type: String, format: 'uuid', nullable: true }) coordinatorOrganisationId: string | null;
  @Category('deliberation', { type: String, format: 'uuid', nullable: true }) coordinatorUserId: string | null;
  @Category('residence', { type: String, nullable: true }) receptionLocation: string | null;
  @Category('procedure', { type: String, nullable: true }) procedureStage: string | null;
  @Category('procedure') indPriority: boolean;
  @Category('care', { type: String, nullable: true }) careNotes: string | null;
  @Category('deliberation', { type: () => StrategyView, nullable: true, description: 'The latest strategy revision.' }) currentStrategy: Partial<StrategyView> | null;
  @Category('deliberation', { type: () => StrategyView, isArray: true, description: 'Every revision, oldest first.' }) strategies: Partial<StrategyView>[];
  /** Per record: each deadline is shown only under its own category; the others are left out entirely. */
  @Category(PER_RECORD, { type: () => DeadlineView, isArray: true }) deadlines: Partial<DeadlineView>[];
  @Category('residence', { type: () => TransferView, isArray: true }) transfers: Partial<TransferView>[];
  @Category('deliberation', { type: () => StatusChangeView, isArray: true, description: 'Oldest first.' }) statusHistory: Partial<StatusChangeView>[];
}

/** A page of a case's strategy revisions. */
export const StrategyPageView = PageViewOf(StrategyView, 'StrategyPage', 'Oldest revision first, each disclosed under the covenant of the case\'s table.');

/** A page of cases. Holds only views that were disclosed one by one. */
export class CasePageView {
  @NotPersonal({ type: () => CaseListItemView, isArray: true, description: 'Each item disclosed under the covenant of its table.' }) items: Partial<CaseListItemView>[];
  @NotPersonal({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' }) nextCursor: string | null;
}

export class SubjectSearchResultView {
  @NotPersonal({ type: () => CaseListItemView, isArray: true, description: "The caller's visible cases of the person, each disclosed under its own table's covenant." })
  items: Partial<CaseListItemView>[];
}

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

export const strategyView = (s: StrategyRow, granted: ReadonlySet<CategoryName>) =>
  disclose(StrategyView, { id: s.id, revision: s.revision, kind: s.kind, text: s.text, createdAt: iso(s.createdAt)! }, granted);

export const deadlineVisible = (d: { kind: DeadlineKind }, granted: ReadonlySet<CategoryName>) => granted.has(DEADLINE_CATEGORY[d.kind]);

export const deadlineView = (d: DeadlineRow, granted: ReadonlySet<CategoryName>) =>
  disclose(DeadlineView, { id: d.id, category: DEADLINE_CATEGORY[d.kind], kind: d.kind, dueDate: d.dueDate, note: d.note }, granted, DEADLINE_CATEGORY[d.kind]);

export const transferView = (x: TransferRow, granted: ReadonlySet<CategoryName>) =>
  disclose(TransferView, { id: x.id, fromTableId: x.fromTableId, toTableId: x.toTableId, reason: x.reason, transferredAt: iso(x.transferredAt)! }, granted);

const statusChangeView = (x: StatusChangeRow, granted: ReadonlySet<CategoryName>) =>
  disclose(StatusChangeView, { fromStatus: x.fromStatus, toStatus: x.toStatus, reason: x.reason, changedAt: iso(x.changedAt)! }, granted);

/** The person as a view shows them: an erased person as erased, with no identity at all. */
export function subjectView(
  row: Pick<CaseListRow, 'v_number' | 'family_name' | 'given_names' | 'date_of_birth' | 'nationality' | 'subject_erased_at'>,
  granted: ReadonlySet<CategoryName>,
): Partial<SubjectView> {
  if (row.subject_erased_at) return disclose(SubjectView, { erasedAt: iso(row.subject_erased_at)! }, granted);
  return disclose(
    SubjectView,
    { vNumber: row.v_number, familyName: row.family_name, givenNames: row.given_names, dateOfBirth: row.date_of_birth, nationality: row.nationality },
    granted,
  );
}

function listItemFields(row: CaseListRow, granted: ReadonlySet<CategoryName>): Partial<CaseListItemView> {
  return {
    id: row.id,
    tableId: row.table_id,
    reference: row.reference,
    status: row.status,
    riskLevel: row.risk_level,
    reviewDate: row.review_date,
    openedAt: iso(row.opened_at)!,
    closedAt: iso(row.closed_at),
    subject: subjectView(row, granted),
    openActions: row.open_actions,
    overdueActions: row.overdue_actions,
  };
}

/** A case in a list; a restricted person's case shows its id, table and reference and that it is restricted, nothing else. */
export const listItemView = (row: CaseListRow, granted: ReadonlySet<CategoryName>) =>
  row.restricted
    ? disclose(CaseListItemView, { id: row.id, tableId: row.table_id, reference: row.reference, restricted: true }, granted)
    : disclose(CaseListItemView, listItemFields(row, granted), granted);

/** The people a list showed, for the processing log: a restricted person's case was shown as restricted only. */
export const shownSubjects = (rows: CaseListRow[]) => rows.filter((r) => !r.restricted).map((r) => ({ subjectId: r.subject_id, vNumber: r.v_number }));

export function detailView(row: CaseDetailRow, granted: ReadonlySet<CategoryName>): Partial<CaseDetailView> {
  const strategies = row.strategies.map((s) => strategyView(s, granted));
  const view = disclose(
    CaseDetailView,
    {
      ...listItemFields(row, granted),
      coordinatorOrganisationId: row.coordinator_organisation_id,
      coordinatorUserId: row.coordinator_user_id,
      receptionLocation: row.reception_location,
      procedureStage: row.procedure_stage,
      indPriority: row.ind_priority,
      careNotes: row.care_notes,
      currentStrategy: strategies.at(-1) ?? null,
      strategies,
      transfers: row.transfers.map((x) => transferView(x, granted)),
      statusHistory: row.status_history.map((x) => statusChangeView(x, granted)),
    },
    granted,
  );
  // The container is per record, so disclose() leaves it out; its items were each disclosed under their own category.
  return { ...view, deadlines: row.deadlines.filter((d) => deadlineVisible(d, granted)).map((d) => deadlineView(d, granted)) };
}

/** The categories a detail response touched, for the processing and audit logs. */
export function detailCategories(row: CaseDetailRow, granted: ReadonlySet<CategoryName>): CategoryName[] {
  const deadlineCategories = row.deadlines.filter((d) => deadlineVisible(d, granted)).map((d) => DEADLINE_CATEGORY[d.kind]);
  return [...new Set([...categoriesOf(CaseDetailView, granted), ...deadlineCategories])];
}
