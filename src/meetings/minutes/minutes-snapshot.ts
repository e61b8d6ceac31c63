import { EntityManager } from 'typeorm';
import type { OrganisationType } from '../../auth/permissions';
import type { ReviewOutcome } from '../../actions/action-review.entity';
import type { StrategyKind } from '../../cases/case-strategy.entity';
import type { MeasureStatus } from '../../cases/measure.entity';
import type { EscalationStatus, EscalationTrack } from '../../escalations/escalation.entity';
import { measureType } from '../../cases/measure-catalogue';
import { MeetingRepository } from '../meeting.repository';
import type { Category } from '../../sharing/categories';
import { reasonCategory, type ReasonRecord } from '../agenda/agenda-view';

/**
 * The frozen minutes of a closed meeting (`meeting.minutes`). Every personal value is stored together with
 * its category, so that each reader is shown the minutes under their organisation's covenant as it is on
 * the day they read them, not as it was when the meeting closed.
 *
 * Format 2: the minutes hold no identity. A case item keeps the case's id and reference; who the person is
 * (V-number, names, date of birth, nationality) is looked up from the case's subject when the minutes are
 * read, so that a rectified person reads as rectified, an erased person as erased (`gewist`) and a
 * restricted person's item as restricted, in every copy made from then on, JSON and PDF alike. What erasure
 * deletes of a case (criminal and care details) it also deletes here (see src/privacy/minutes-erasure.ts),
 * the one change the freezing trigger lets through. Format 1 held the identity; migration
 * 1764001000000 took it out of every stored snapshot.
 */
export const MINUTES_FORMAT = 2;

/** A frozen value and the category it may be disclosed under. */
export interface Tagged<T> {
  category: Category;
  value: T;
}

/** The case of an item; the person is not frozen (see MINUTES_FORMAT). */
export interface SnapshotCase {
  id: string;
  reference: string;
  procedureStage: Tagged<string | null>;
}

export interface SnapshotReason {
  code: string;
  detail?: string;
  origin?: 'draft' | 'chair';
  via?: 'member' | 'list';
}

/**
 * The records below are frozen in the shape of their live views (ActionView, ActionReviewView,
 * EscalationView, MeasureView), plus what only the minutes keep: names and descriptions as they were.
 * Ids and timestamps marked optional are absent in minutes frozen before they were kept.
 */
export interface SnapshotAction {
  id: string;
  caseId?: string;
  caseReference?: string;
  tableId?: string;
  meetingId?: string | null;
  ownerOrganisationId: string;
  ownerOrganisationName: string;
  ownerUserId: string | null;
  description: string;
  dueDate: string;
}

export interface SnapshotReview {
  id: string;
  actionId: string;
  meetingId?: string;
  actionDescription: string;
  outcome: ReviewOutcome;
  reason: string | null;
  newDueDate: string | null;
  createdAt?: string;
}

export interface SnapshotEscalation {
  id: string;
  caseId?: string;
  meetingId?: string | null;
  agendaItemId?: string | null;
  track: EscalationTrack;
  targetOrganisationType: OrganisationType;
  requestedByOrganisationId: string;
  /** As it was when the meeting closed. */
  status: EscalationStatus;
  reason: string | null;
  responseDueDate: string | null;
  outcome?: string | null;
  createdAt?: string;
}

export interface SnapshotMeasure {
  id: string;
  caseId?: string;
  type: string;
  imposingOrganisationId: string;
  legalBasis: string;
  startsAt: string;
  endsAt: string | null;
  status: MeasureStatus;
  note: string | null;
  createdAt?: string;
}

export interface SnapshotStrategy {
  /** Absent in minutes frozen before they were kept. */
  id?: string;
  revision: number;
  kind: StrategyKind;
  text: string;
  createdAt?: string;
}

export interface SnapshotItem {
  agendaItemId: string;
  position: number;
  topic: Tagged<string> | null;
  case: SnapshotCase | null;
  reasons: Tagged<SnapshotReason>[];
  decisionText: Tagged<string | null>;
  outcome: Tagged<string | null>;
  strategy: Tagged<SnapshotStrategy> | null;
  actions: Tagged<SnapshotAction>[];
  actionReviews: Tagged<SnapshotReview>[];
  escalations: Tagged<SnapshotEscalation>[];
  measures: Tagged<SnapshotMeasure>[];
}

/** Organisations, not people: no category. */
export interface SnapshotAttendance {
  organisationId: string;
  organisationType: OrganisationType;
  organisationName: string;
  /** Null when no attendance was recorded for a member organisation. */
  present: boolean | null;
  note: string | null;
}

export interface MinutesSnapshot {
  format: typeof MINUTES_FORMAT;
  meetingId: string;
  tableId: string;
  tableName: string;
  scheduledAt: string;
  openedAt: string | null;
  closedAt: string;
  location: string | null;
  attendance: SnapshotAttendance[];
  items: SnapshotItem[];
}

const DELIBERATION: Category = 'deliberation';
const tag = <T>(category: Category, value: T): Tagged<T> => ({ category, value });
const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

/**
 * A stored reason as frozen: with its category, or not at all. A reason without a known category (which the
 * CHECK constraint on agenda_item.reasons no longer admits) is shown to nobody, so it is not frozen either.
 */
function frozenReason(r: ReasonRecord): Tagged<SnapshotReason>[] {
  const category = reasonCategory(r);
  if (!category) return [];
  const value: SnapshotReason = { code: r.code };
  if (r.detail) value.detail = r.detail;
  if (r.origin) value.origin = r.origin;
  if (r.via) value.via = r.via;
  return [tag(category, value)];
}

function groupBy<T>(rows: T[], key: (row: T) => string | null | undefined): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (k) map.set(k, [...(map.get(k) ?? []), row]);
  }
  return map;
}

interface ItemRow {
  id: string;
  position: number;
  topic: string | null;
  reasons: ReasonRecord[] | null;
  decision_text: string | null;
  outcome: string | null;
  case_id: string | null;
  reference: string;
  procedure_stage: string | null;
  strategy: SnapshotStrategy | null;
}

const ITEMS = `
  SELECT i.id, i.position, i.topic, i.reasons, i.decision_text, i.outcome,
         c.id AS case_id, c.reference, c.procedure_stage,
         CASE WHEN st.id IS NOT NULL THEN json_build_object('id', st.id, 'revision', st.revision, 'kind', st.kind, 'text', st.text, 'createdAt', st.created_at) END AS strategy
    FROM agenda_item i
    LEFT JOIN case_file c ON c.id = i.case_id
    LEFT JOIN case_strategy st ON st.id = i.strategy_id
   WHERE i.meeting_id = $1
   ORDER BY i.position, i.id`;

const ACTIONS = `
  SELECT a.agenda_item_id AS "agendaItemId", a.id, a.case_id AS "caseId", c.reference AS "caseReference", c.table_id AS "tableId",
         a.meeting_id AS "meetingId", a.owner_organisation_id AS "ownerOrganisationId", o.name AS "ownerOrganisationName",
         a.owner_user_id AS "ownerUserId", a.description, a.due_date::text AS "dueDate"
    FROM action a JOIN organisation o ON o.id = a.owner_organisation_id JOIN case_file c ON c.id = a.case_id
   WHERE a.agenda_item_id IN (SELECT id FROM agenda_item WHERE meeting_id = $1)
   ORDER BY a.due_date, a.created_at, a.id`;

const REVIEWS = `
  SELECT a.case_id AS "caseId", r.id, r.action_id AS "actionId", r.meeting_id AS "meetingId", a.description AS "actionDescription", r.outcome, r.reason,
         r.new_due_date::text AS "newDueDate", r.created_at AS "createdAt"
    FROM action_review r JOIN action a ON a.id = r.action_id
   WHERE r.meeting_id = $1 ORDER BY r.created_at, r.id`;

const ESCALATIONS = `
  SELECT e.case_id AS "caseId", e.agenda_item_id AS "agendaItemId", e.meeting_id AS "meetingId", e.id, e.track, e.target_organisation_type AS "targetOrganisationType",
         e.requested_by_organisation_id AS "requestedByOrganisationId", e.status, e.reason, e.response_due_date::text AS "responseDueDate",
         e.outcome, e.created_at AS "createdAt"
    FROM escalation e WHERE e.meeting_id = $1 ORDER BY e.created_at, e.id`;

const MEASURES = `
  SELECT case_id AS "caseId", id, type, imposing_organisation_id AS "imposingOrganisationId", legal_basis AS "legalBasis",
         starts_at AS "startsAt", ends_at AS "endsAt", status, note, created_at AS "createdAt"
    FROM measure WHERE case_id = ANY($1::uuid[]) AND created_at >= $2 AND created_at <= $3
   ORDER BY starts_at, id`;

type Keyed<T, K extends string> = T & Record<K, string | null>;
/** Timestamps as the driver returns them, before they are frozen as ISO strings. */
type Raw<T> = Omit<T, 'createdAt'> & { createdAt: Date };

/** Drops the grouping keys a query added to a record. */
function strip<T extends object>(row: T, ...keys: string[]): T {
  const out = { ...row } as Record<string, unknown>;
  for (const k of keys) delete out[k];
  return out as T;
}

/**
 * Builds the minutes of a meeting as they stand at `closedAt`, inside the caller's transaction: the close
 * endpoint and the demo seed both call this, before the meeting is set to `closed`.
 * Measures count when they were recorded on an item's case during the session (opened_at up to closedAt).
 */
export async function buildMinutesSnapshot(m: EntityManager, meetingId: string, closedAt: Date): Promise<MinutesSnapshot> {
  const meeting = await new MeetingRepository().findHeading(m, meetingId);
  if (!meeting) throw new Error(`meeting ${meetingId} does not exist`);

  const attendance: SnapshotAttendance[] = await m.query(
    `SELECT o.id AS "organisationId", o.type AS "organisationType", o.name AS "organisationName", a.present, a.note
       FROM organisation o
       LEFT JOIN attendance a ON a.meeting_id = $1 AND a.organisation_id = o.id
      WHERE a.meeting_id IS NOT NULL
         OR o.id IN (SELECT organisation_id FROM table_member_organisation WHERE table_id = $2 AND left_at IS NULL)
      ORDER BY o.name, o.id`,
    [meetingId, meeting.table_id],
  );
  const items: ItemRow[] = await m.query(ITEMS, [meetingId]);
  const actions: Keyed<SnapshotAction, 'agendaItemId'>[] = await m.query(ACTIONS, [meetingId]);
  const reviews: Keyed<Raw<SnapshotReview>, 'caseId'>[] = await m.query(REVIEWS, [meetingId]);
  const escalations: Keyed<Raw<SnapshotEscalation>, 'caseId' | 'agendaItemId'>[] = await m.query(ESCALATIONS, [meetingId]);
  const caseIds = items.flatMap((i) => (i.case_id ? [i.case_id] : []));
  const measures: Keyed<Raw<SnapshotMeasure>, 'caseId'>[] = await m.query(MEASURES, [caseIds, meeting.opened_at ?? meeting.scheduled_at, closedAt]);

  const actionsByItem = groupBy(actions, (a) => a.agendaItemId);
  const reviewsByCase = groupBy(reviews, (r) => r.caseId);
  const measuresByCase = groupBy(measures, (x) => x.caseId);
  // An escalation belongs to its item, else to the item of its case.
  const itemOfCase = new Map(items.flatMap((i) => (i.case_id ? [[i.case_id, i.id] as const] : [])));
  const escalationsByItem = groupBy(escalations, (e) => e.agendaItemId ?? (e.caseId ? itemOfCase.get(e.caseId) : undefined));

  const item = (i: ItemRow): SnapshotItem => ({
    agendaItemId: i.id,
    position: i.position,
    topic: i.topic === null ? null : tag(DELIBERATION, i.topic),
    case: i.case_id
      ? { id: i.case_id, reference: i.reference, procedureStage: tag('procedure', i.procedure_stage) }
      : null,
    reasons: (i.reasons ?? []).flatMap(frozenReason),
    decisionText: tag(DELIBERATION, i.decision_text),
    outcome: tag(DELIBERATION, i.outcome),
    strategy: i.strategy && tag(DELIBERATION, { ...i.strategy, createdAt: iso(i.strategy.createdAt ?? null) ?? undefined }),
    actions: (actionsByItem.get(i.id) ?? []).map((a) => tag(DELIBERATION, strip(a, 'agendaItemId'))),
    actionReviews: ((i.case_id && reviewsByCase.get(i.case_id)) || []).map((r) => tag(DELIBERATION, { ...strip(r, 'caseId'), createdAt: iso(r.createdAt)! })),
    escalations: (escalationsByItem.get(i.id) ?? []).map((e) => tag(DELIBERATION, { ...e, createdAt: iso(e.createdAt)! })),
    // A measure of a type no longer in the catalogue has no known category; like the measure list, nobody is shown it.
    measures: ((i.case_id && measuresByCase.get(i.case_id)) || []).flatMap((x) => {
      const type = measureType(x.type);
      return type ? [tag(type.category, { ...x, startsAt: iso(x.startsAt)!, endsAt: iso(x.endsAt), createdAt: iso(x.createdAt)! })] : [];
    }),
  });

  return {
    format: MINUTES_FORMAT,
    meetingId,
    tableId: meeting.table_id,
    tableName: meeting.table_name,
    scheduledAt: iso(meeting.scheduled_at)!,
    openedAt: iso(meeting.opened_at),
    closedAt: closedAt.toISOString(),
    location: meeting.location,
    attendance,
    items: items.map(item),
  };
}

/** The cases the minutes are about: their people are looked up through them (see MINUTES_FORMAT). */
export const snapshotCaseIds = (s: MinutesSnapshot): string[] => [...new Set(s.items.flatMap((i) => (i.case ? [i.case.id] : [])))];

/** Every category the minutes hold, for the audit log of the close. */
export function snapshotCategories(s: MinutesSnapshot): Category[] {
  const all = new Set<Category>();
  for (const i of s.items) {
    const tagged: (Tagged<unknown> | null)[] = [i.topic, i.decisionText, i.outcome, i.strategy, ...i.reasons, ...i.actions, ...i.actionReviews];
    tagged.push(...i.escalations, ...i.measures, i.case?.procedureStage ?? null);
    for (const t of tagged) if (t) all.add(t.category);
  }
  return [...all];
}
