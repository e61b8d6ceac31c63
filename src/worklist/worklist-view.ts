import { Page, PageViewOf } from '../common/pagination';
import type { CaseListRow } from '../cases/case.repository';
import { CaseListItemView, listItemView } from '../cases/case-view';
import { incidentCategory } from '../cases/incident.entity';
import { CATEGORIES, type Category as CategoryName } from '../sharing/categories';
import { categoriesOf, Category, disclose, NotPersonal, PER_RECORD } from '../sharing/disclosure';
import type { WorklistReasonRow } from './worklist.repository';

/** Why a case needs the chair's attention, most pressing first (DOMAIN.md section 8). */
export const WORKLIST_REASON_CODES = ['escalation_awaiting_response', 'overdue_actions', 'new_incidents', 'review_due', 'no_strategy'] as const;
export type WorklistReasonCode = (typeof WORKLIST_REASON_CODES)[number];

/** New incidents carry their incidents' category (nuisance: incidents, offence: criminal); the rest is the table's deliberation. */
export const reasonCategory = (row: Pick<WorklistReasonRow, 'code' | 'classification'>): CategoryName =>
  row.code === 'new_incidents' ? (row.classification ? incidentCategory(row.classification) : 'criminal') : 'deliberation';

export class WorklistReasonView {
  @NotPersonal({ enum: CATEGORIES, description: 'The category of this reason; the reason is listed only to viewers granted it.' }) category: CategoryName;
  @Category(PER_RECORD, { enum: WORKLIST_REASON_CODES }) code: WorklistReasonCode;
  @Category(PER_RECORD, { type: 'integer', minimum: 1, description: 'Escalations, actions or incidents behind the reason.' }) count: number;
  @Category(PER_RECORD, {
    type: String,
    format: 'date',
    nullable: true,
    description: 'The earliest response deadline (escalations), due date (actions) or the review date.',
  })
  dueDate: string | null;
  @Category(PER_RECORD, { type: String, format: 'uuid', isArray: true, description: 'The escalations, actions or incidents, earliest first.' }) ids: string[];
}

export class WorklistItemView {
  @NotPersonal({ format: 'uuid' }) tableId: string;
  @NotPersonal({ type: () => CaseListItemView, description: 'The case summary, disclosed under the covenant of its table.' }) case: Partial<CaseListItemView>;
  @NotPersonal({ type: () => WorklistReasonView, isArray: true, description: 'Only reasons of categories granted to you; each disclosed on its own.' })
  reasons: Partial<WorklistReasonView>[];
}

/** A page of a worklist. */
export const WorklistPageView = PageViewOf(
  WorklistItemView,
  'WorklistPage',
  "Table by table (by id); within a table most pressing first: by the first reason, then the earliest date, then the case's id.",
);
export type WorklistPage = Page<Partial<WorklistItemView>>;

const RANK = new Map<string, number>(WORKLIST_REASON_CODES.map((code, i) => [code, i]));

/** The case's granted reasons in the order of WORKLIST_REASON_CODES; none, and the case is not listed. */
export function reasonViews(rows: WorklistReasonRow[], granted: ReadonlySet<CategoryName>): Partial<WorklistReasonView>[] {
  return rows
    .map((r) => ({ row: r, category: reasonCategory(r) }))
    .filter(({ category }) => granted.has(category))
    .sort((a, b) => RANK.get(a.row.code)! - RANK.get(b.row.code)! || a.category.localeCompare(b.category))
    .map(({ row, category }) =>
      disclose(WorklistReasonView, { category, code: row.code, count: row.count, dueDate: row.due_date, ids: row.ids }, granted, category),
    );
}

export const worklistItemView = (tableId: string, summary: CaseListRow, reasons: Partial<WorklistReasonView>[], granted: ReadonlySet<CategoryName>) =>
  disclose(WorklistItemView, { tableId, case: listItemView(summary, granted), reasons }, granted);

/** The categories a worklist of these reasons touched, for the logs. */
export const worklistCategories = (reasons: Partial<WorklistReasonView>[], granted: ReadonlySet<CategoryName>): CategoryName[] => [
  ...new Set([...categoriesOf(CaseListItemView, granted), ...reasons.map((r) => r.category!)]),
];
