import type { ActionReviewRow, ActionRow } from '../../actions/action.repository';
import { ActionReviewView, actionView, ActionView, reviewView } from '../../actions/action-view';
import type { CaseListRow, StrategyRow } from '../../cases/case.repository';
import { CaseListItemView, listItemView, strategyView, StrategyView } from '../../cases/case-view';
import type { OrganisationType } from '../../auth/permissions';
import type { EscalationRow } from '../../escalations/escalation-view';
import { escalationView, EscalationView } from '../../escalations/escalation-view';
import type { Category as CategoryName } from '../../sharing/categories';
import { categoriesOf, Category, disclose, NotPersonal, PER_RECORD } from '../../sharing/disclosure';
import { MEETING_STATUSES, type MeetingStatus } from '../meeting.entity';
import { AgendaReasonView, reasonCategoriesShown, reasonsView, type ReasonRecord } from '../agenda/agenda-view';
import { ITEM_OUTCOMES, type ItemOutcome } from './session.dto';
import { PageViewOf } from '../../common/pagination';

export interface SessionMeetingRow {
  id: string;
  table_id: string;
  status: MeetingStatus;
  scheduled_at: Date;
  opened_at: Date | null;
  closed_at: Date | null;
}

export interface AttendanceRow {
  organisation_id: string;
  organisation_type: OrganisationType;
  organisation_name: string;
  present: boolean;
  note: string | null;
  recorded_at: Date;
}

export interface SessionItemRow {
  id: string;
  position: number;
  case_id: string | null;
  topic: string | null;
  reasons: ReasonRecord[];
  decision_text: string | null;
  outcome: ItemOutcome | null;
  strategy: StrategyRow | null;
}

/** A meeting holds no personal data of its own. */
export class SessionMeetingView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid' }) tableId: string;
  @NotPersonal({ enum: MEETING_STATUSES }) status: MeetingStatus;
  @NotPersonal({ format: 'date-time' }) scheduledAt: string;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) openedAt: string | null;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
}

/**
 * An organisation's attendance, in the session and in the minutes. Organisations, not people; only the
 * free-text note is treated as the table's deliberation.
 */
export class AttendanceView {
  @NotPersonal({ format: 'uuid' }) organisationId: string;
  @NotPersonal({ type: String, example: 'POLICE' }) organisationType: OrganisationType;
  @NotPersonal({ example: 'Gemeente Harderwijk' }) organisationName: string;
  @NotPersonal({ type: Boolean, nullable: true, description: 'Null (in the minutes) when no attendance was recorded for a member organisation.' })
  present: boolean | null;
  @Category('deliberation', { type: String, nullable: true, description: "About the organisation's attendance, e.g. who stood in." }) note: string | null;
  @NotPersonal({ format: 'date-time', required: false, description: 'When it was recorded (not in the minutes).' }) recordedAt?: string;
}

/** One row per member organisation of the table: paged in memory (pageOfBounded), keyed by the organisation. */
export const AttendancePage = PageViewOf(AttendanceView, 'AttendancePage');

export class DecisionView {
  @NotPersonal({ format: 'uuid' }) agendaItemId: string;
  @Category('deliberation', { type: String, nullable: true }) decisionText: string | null;
  @Category('deliberation', { enum: ITEM_OUTCOMES, nullable: true }) outcome: ItemOutcome | null;
  @Category('deliberation', { type: () => StrategyView, nullable: true, description: 'The strategy revision recorded at this item.' }) strategy: Partial<StrategyView> | null;
}

export class SessionItemView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ type: 'integer' }) position: number;
  @NotPersonal({ type: String, format: 'uuid', nullable: true, description: 'Null for a topic item.' }) caseId: string | null;
  @NotPersonal({
    type: () => CaseListItemView,
    required: false,
    description: "The case as the viewer may see it (each field under its own category). Absent for a topic, and for a case that has since moved to another table, whose content is then left out.",
  })
  case?: Partial<CaseListItemView>;
  @Category('deliberation', { type: String, nullable: true }) topic: string | null;
  /** Per record: each reason is listed only under its own category, as on the agenda. */
  @Category(PER_RECORD, { type: () => AgendaReasonView, isArray: true, description: 'Highest priority first; reasons of categories not granted to you are left out.' })
  reasons: Partial<AgendaReasonView>[];
  @Category('deliberation', { type: String, nullable: true }) decisionText: string | null;
  @Category('deliberation', { enum: ITEM_OUTCOMES, nullable: true }) outcome: ItemOutcome | null;
  @Category('deliberation', { type: () => StrategyView, nullable: true, description: 'The strategy revision recorded at this item.' }) strategy: Partial<StrategyView> | null;
  @Category('deliberation', { type: () => ActionView, isArray: true, description: 'The actions agreed at this item.' }) actions: Partial<ActionView>[];
  @Category('deliberation', { type: () => ActionReviewView, isArray: true, description: "Reviews, at this meeting, of the case's earlier actions." })
  reviews: Partial<ActionReviewView>[];
  @Category('deliberation', { type: () => EscalationView, isArray: true, description: 'Escalations proposed at this item.' }) escalations: Partial<EscalationView>[];
}

/** The session as one viewer may see it: every nested view is disclosed on its own. */
export class SessionView {
  @NotPersonal({ type: () => SessionMeetingView }) meeting: SessionMeetingView;
  @NotPersonal({ type: () => AttendanceView, isArray: true }) attendance: Partial<AttendanceView>[];
  @NotPersonal({ type: () => SessionItemView, isArray: true, description: 'In agenda order.' }) items: Partial<SessionItemView>[];
}

const iso = (v: Date | null): string | null => (v === null ? null : new Date(v).toISOString());

export const meetingView = (r: SessionMeetingRow): SessionMeetingView =>
  disclose(
    SessionMeetingView,
    { id: r.id, tableId: r.table_id, status: r.status, scheduledAt: iso(r.scheduled_at)!, openedAt: iso(r.opened_at), closedAt: iso(r.closed_at) },
    new Set(),
  ) as SessionMeetingView;

export const attendanceView = (r: AttendanceRow, granted: ReadonlySet<CategoryName>) =>
  disclose(
    AttendanceView,
    {
      organisationId: r.organisation_id,
      organisationType: r.organisation_type,
      organisationName: r.organisation_name,
      present: r.present,
      note: r.note,
      recordedAt: iso(r.recorded_at)!,
    },
    granted,
  );

export const decisionView = (r: SessionItemRow, granted: ReadonlySet<CategoryName>) =>
  disclose(
    DecisionView,
    { agendaItemId: r.id, decisionText: r.decision_text, outcome: r.outcome, strategy: r.strategy && strategyView(r.strategy, granted) },
    granted,
  );

export interface SessionContent {
  meeting: SessionMeetingRow;
  attendance: AttendanceRow[];
  items: SessionItemRow[];
  /** The cases on the agenda that are still at the meeting's table, by id. */
  cases: Map<string, CaseListRow>;
  actions: ActionRow[];
  reviews: ActionReviewRow[];
  escalations: EscalationRow[];
}

/** `today` (the Clock's) judges every action in the response alike. */
export function sessionView(s: SessionContent, granted: ReadonlySet<CategoryName>, today: string): SessionView {
  const items = s.items.map((item): Partial<SessionItemView> => {
    const summary = item.case_id ? s.cases.get(item.case_id) : undefined;
    if (item.case_id && !summary) return { id: item.id, position: item.position, caseId: item.case_id };
    // A restricted person's item: that it is on the agenda, and nothing of what was said or agreed.
    if (summary?.restricted) return { id: item.id, position: item.position, caseId: item.case_id!, case: listItemView(summary, granted) };
    const view = disclose(
      SessionItemView,
      {
        id: item.id,
        position: item.position,
        caseId: item.case_id,
        case: summary && listItemView(summary, granted),
        topic: item.topic,
        decisionText: item.decision_text,
        outcome: item.outcome,
        strategy: item.strategy && strategyView(item.strategy, granted),
        actions: s.actions.filter((a) => a.agenda_item_id === item.id).map((a) => actionView(a, granted, today)),
        reviews: s.reviews.filter((r) => r.case_id === item.case_id).map((r) => reviewView(r, granted, today)),
        escalations: s.escalations.filter((e) => e.agenda_item_id === item.id).map((e) => escalationView(e, granted)),
      },
      granted,
    );
    // The container is per record, so disclose() leaves it out; each reason is disclosed under its own category.
    return { ...view, reasons: reasonsView(item.reasons, granted) };
  });
  return disclose(SessionView, { meeting: meetingView(s.meeting), attendance: s.attendance.map((a) => attendanceView(a, granted)), items }, granted) as SessionView;
}

/** The categories a session response showed, for the processing and audit logs. */
export function sessionCategories(s: SessionContent, granted: ReadonlySet<CategoryName>): CategoryName[] {
  const touched = new Set<CategoryName>(categoriesOf(CaseListItemView, granted));
  if (granted.has('deliberation')) touched.add('deliberation');
  for (const item of s.items) {
    if (item.case_id && (!s.cases.has(item.case_id) || s.cases.get(item.case_id)!.restricted)) continue;
    for (const c of reasonCategoriesShown(item.reasons, granted)) touched.add(c);
  }
  return [...touched];
}
