import type { CaseListRow } from '../../cases/case.repository';
import { CaseListItemView, listItemView } from '../../cases/case-view';
import { CATEGORIES, isCategory, type Category as CategoryName } from '../../sharing/categories';
import { incidentCategory, type IncidentClassification } from '../../cases/incident.entity';
import { categoriesOf, Category, disclose, NotPersonal, PER_RECORD } from '../../sharing/disclosure';
import { MEETING_STATUSES, type MeetingStatus } from '../meeting.entity';
import { type AgendaReason } from './agenda-item.entity';

/** Why a case is on the agenda, in the order of DOMAIN.md section 4 step 3 (the draft's own reasons). */
export const DRAFT_REASON_CODES = [
  'escalation_proposed',
  'severe_incident',
  'overdue_actions',
  'new_case',
  'new_incidents',
  'actions_due',
  'review_due',
  'nominated',
] as const;
export type DraftReasonCode = (typeof DRAFT_REASON_CODES)[number];

/**
 * Priority groups of DOMAIN.md section 4 step 3: an item is positioned by its best reason. An escalation
 * proposal and a severe incident share the first group; items kept only for the chair's reasons come last.
 */
export const AGENDA_REASON_GROUP: Record<DraftReasonCode, number> = {
  escalation_proposed: 1,
  severe_incident: 1,
  overdue_actions: 2,
  new_case: 3,
  new_incidents: 4,
  actions_due: 5,
  review_due: 6,
  nominated: 7,
};

/**
 * A reason as stored in agenda_item.reasons. `category` decides who sees it (incident reasons carry the
 * incident's category); every writer sets it and a CHECK constraint refuses a reason without a known one.
 * `origin` tells the draft's reasons, which every re-draft recomputes, from the chair's, which it keeps:
 * an item with a chair reason was put on or curated by hand.
 */
export interface StoredReason extends AgendaReason {
  category: CategoryName;
  origin: 'draft' | 'chair';
  /** For `nominated`: who put it forward. */
  via?: 'member' | 'list';
  /** For a topic item made from a nomination: the nomination, so a re-draft does not add it twice. */
  nominationId?: string;
}

/** A reason as read back from JSON (a stored item, a frozen snapshot): its category is not trusted to be there. */
export type ReasonRecord = AgendaReason & { category?: unknown; origin?: 'draft' | 'chair'; via?: 'member' | 'list' };

/**
 * The category of a drafted reason. Incident reasons carry the classification of their incidents; one
 * whose classification is unknown is taken as criminal, the narrowest an incident can be. The other draft
 * reasons are the table's own deliberation (escalation proposals, actions, case status, review date, nominations).
 */
export function draftReasonCategory(code: string, classification: IncidentClassification | null): CategoryName {
  if (code === 'severe_incident' || code === 'new_incidents') return classification ? incidentCategory(classification) : 'criminal';
  return 'deliberation';
}

/** Why an item is on the agenda: the one reason view of the agenda, the session and the minutes. */
export class AgendaReasonView {
  @NotPersonal({ enum: CATEGORIES, description: 'The category of this reason; the reason is listed only to viewers granted it.' }) category: CategoryName;
  @Category(PER_RECORD, { example: 'overdue_actions', description: `One of ${DRAFT_REASON_CODES.join(', ')} (drafted), or a nomination reason code or \`added_by_chair\` (the chair's).` })
  code: string;
  @Category(PER_RECORD, { type: String, description: 'Escalation tracks, incident kinds, counts, the review date, or the nomination reason and text.' })
  detail?: string;
  @Category(PER_RECORD, { enum: ['member', 'list'], description: 'For `nominated`: nominated by a member or by a list import.' }) via?: 'member' | 'list';
  @Category(PER_RECORD, { enum: ['draft', 'chair'], description: '`draft` reasons are recomputed by every draft; `chair` reasons are kept.' }) origin: 'draft' | 'chair';
}

export class CarriedActionView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ type: String, format: 'uuid', nullable: true, description: 'The meeting where it was agreed.' }) meetingId: string | null;
  @Category('deliberation', { format: 'uuid' }) ownerOrganisationId: string;
  @Category('deliberation') description: string;
  @Category('deliberation', { format: 'date' }) dueDate: string;
  @Category('deliberation', { description: 'Open and past its due date (Europe/Amsterdam).' }) overdue: boolean;
}

export class AgendaItemView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ type: 'integer', minimum: 1 }) position: number;
  @Category('deliberation', { type: String, description: 'For a non-case item (policy change, cooperation).' }) topic?: string;
  @NotPersonal({ type: () => CaseListItemView, description: 'For a case item: the case summary, disclosed on its own under your covenant.' })
  case?: Partial<CaseListItemView>;
  @Category('procedure', { type: String, nullable: true, description: 'Asylum procedure stage of the case.' }) procedureStage?: string | null;
  /** Per record: each reason is listed only under its own category. */
  @Category(PER_RECORD, { type: () => AgendaReasonView, isArray: true, description: 'Highest priority first; reasons of categories not granted to you are left out.' })
  reasons: Partial<AgendaReasonView>[];
  @Category('deliberation', { type: () => CarriedActionView, isArray: true, description: 'Open actions of the case agreed before this meeting.' })
  carriedActions?: Partial<CarriedActionView>[];
}

export class AgendaView {
  @NotPersonal({ format: 'uuid' }) meetingId: string;
  @NotPersonal({ format: 'uuid' }) tableId: string;
  @NotPersonal({ enum: MEETING_STATUSES }) status: MeetingStatus;
  @NotPersonal({ format: 'date-time' }) scheduledAt: string;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) agendaDraftedAt: string | null;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) agendaPublishedAt: string | null;
  @NotPersonal({ type: () => AgendaItemView, isArray: true, description: 'In position order, each item disclosed under your covenant.' })
  items: Partial<AgendaItemView>[];
}

/** The answer to drafting and publishing: what happened to the agenda, without its content. */
export class AgendaSummaryView {
  @NotPersonal({ format: 'uuid' }) meetingId: string;
  @NotPersonal({ enum: MEETING_STATUSES }) status: MeetingStatus;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) agendaDraftedAt: string | null;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) agendaPublishedAt: string | null;
  @NotPersonal({ type: 'integer' }) itemCount: number;
}

export interface CarriedActionRow {
  id: string;
  meetingId: string | null;
  ownerOrganisationId: string;
  description: string;
  dueDate: string;
  overdue: boolean;
}

/** One agenda item with, for a case item, its case as a list row, its procedure stage and its carried actions. */
export interface AgendaRow {
  id: string;
  position: number;
  topic: string | null;
  reasons: StoredReason[];
  case_row: CaseListRow | null;
  procedure_stage: string | null;
  carried_actions: CarriedActionRow[];
  /** A case item whose case has since moved to another table: its content (reasons too) is left out. */
  moved_away?: boolean;
}

export interface AgendaMeetingRow {
  id: string;
  table_id: string;
  status: MeetingStatus;
  scheduled_at: Date;
  agenda_drafted_at: Date | null;
  agenda_published_at: Date | null;
}

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

/**
 * The category a reason is disclosed under, or undefined for a reason without a known one: such a reason
 * is shown to nobody (fail closed), never taken as deliberation.
 */
export const reasonCategory = (r: ReasonRecord): CategoryName | undefined => (isCategory(r.category) ? r.category : undefined);

export const reasonVisible = (r: ReasonRecord, granted: ReadonlySet<CategoryName>): boolean => {
  const category = reasonCategory(r);
  return category !== undefined && granted.has(category);
};

/** One reason, disclosed under its own category. */
export const reasonView = (r: ReasonRecord, granted: ReadonlySet<CategoryName>) =>
  disclose(AgendaReasonView, { category: reasonCategory(r), code: r.code, detail: r.detail, via: r.via, origin: r.origin }, granted, reasonCategory(r));

/**
 * The reasons a viewer is shown, in their stored order: the one rendering of reasons for the agenda, the
 * session and the minutes. A reason of a category not granted is left out entirely.
 */
export const reasonsView = (reasons: readonly ReasonRecord[] | null | undefined, granted: ReadonlySet<CategoryName>): Partial<AgendaReasonView>[] =>
  (reasons ?? []).filter((r) => reasonVisible(r, granted)).map((r) => reasonView(r, granted));

/** The categories of the reasons a viewer is shown, for the processing and audit logs. */
export const reasonCategoriesShown = (reasons: readonly ReasonRecord[] | null | undefined, granted: ReadonlySet<CategoryName>): CategoryName[] =>
  [...new Set((reasons ?? []).filter((r) => reasonVisible(r, granted)).map((r) => reasonCategory(r)!))];

const carriedActionView = (a: CarriedActionRow, granted: ReadonlySet<CategoryName>) => disclose(CarriedActionView, a, granted);

export function agendaItemView(row: AgendaRow, granted: ReadonlySet<CategoryName>): Partial<AgendaItemView> {
  if (row.moved_away) return disclose(AgendaItemView, { id: row.id, position: row.position }, granted);
  const c = row.case_row;
  // A restricted person's item: that it is on the agenda (as restricted), not why nor anything of the case.
  if (c?.restricted) return { ...disclose(AgendaItemView, { id: row.id, position: row.position, case: listItemView(c, granted) }, granted), reasons: [] };
  const view = disclose(
    AgendaItemView,
    {
      id: row.id,
      position: row.position,
      topic: row.topic ?? undefined,
      case: c ? listItemView(c, granted) : undefined,
      procedureStage: c ? row.procedure_stage : undefined,
      carriedActions: c ? row.carried_actions.map((a) => carriedActionView(a, granted)) : undefined,
    },
    granted,
  );
  // The container is per record, so disclose() leaves it out; each reason is disclosed under its own category.
  return { ...view, reasons: reasonsView(row.reasons, granted) };
}

export function agendaView(meeting: AgendaMeetingRow, rows: AgendaRow[], granted: ReadonlySet<CategoryName>): AgendaView {
  return disclose(
    AgendaView,
    {
      meetingId: meeting.id,
      tableId: meeting.table_id,
      status: meeting.status,
      scheduledAt: iso(meeting.scheduled_at)!,
      agendaDraftedAt: iso(meeting.agenda_drafted_at),
      agendaPublishedAt: iso(meeting.agenda_published_at),
      items: rows.map((r) => agendaItemView(r, granted)),
    },
    granted,
  ) as AgendaView;
}

/** The categories an agenda response showed, for the processing and audit logs. */
export function agendaCategories(rows: AgendaRow[], granted: ReadonlySet<CategoryName>): CategoryName[] {
  const touched = new Set<CategoryName>();
  for (const row of rows) {
    if (row.case_row?.restricted) continue;
    if (row.case_row) for (const c of [...categoriesOf(CaseListItemView, granted), ...categoriesOf(AgendaItemView, granted)]) touched.add(c);
    else if (granted.has('deliberation')) touched.add('deliberation');
    for (const c of reasonCategoriesShown(row.reasons, granted)) touched.add(c);
  }
  return [...touched];
}

export function summaryView(meeting: Omit<AgendaMeetingRow, 'table_id' | 'scheduled_at'>, itemCount: number): AgendaSummaryView {
  return disclose(
    AgendaSummaryView,
    {
      meetingId: meeting.id,
      status: meeting.status,
      agendaDraftedAt: iso(meeting.agenda_drafted_at),
      agendaPublishedAt: iso(meeting.agenda_published_at),
      itemCount,
    },
    new Set(),
  ) as AgendaSummaryView;
}
