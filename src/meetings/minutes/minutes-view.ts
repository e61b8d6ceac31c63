import { REVIEW_OUTCOMES } from '../../actions/action-review.entity';
import { StrategyView, SubjectView } from '../../cases/case-view';
import { ESCALATION_TRACKS } from '../../escalations/escalation.entity';
import type { Category as CategoryName } from '../../sharing/categories';
import { Category, disclose, NotPersonal, PER_RECORD } from '../../sharing/disclosure';
import { AgendaReasonView, reasonCategoriesShown, reasonsView } from '../agenda/agenda-view';
import { AttendanceView } from '../session/session-view';
import { ITEM_OUTCOMES } from '../session/session.dto';
import type { MinutesSnapshot, SnapshotItem, Tagged } from './minutes-snapshot';

/**
 * The minutes as one viewer may see them. Built only from the frozen snapshot, disclosed under the viewer's
 * current covenant: a value of a category the viewer's organisation is not granted is absent, and a record
 * (reason, measure) of such a category is left out of its list entirely. Reasons, attendance and the
 * strategy use the views of the agenda, the session and the case; the other records are the minutes' own,
 * as frozen (with the owner's name and the reviewed action's description as they were).
 */

export class MinutesCaseView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ example: 'HWK-2026-0001' }) reference: string;
  @Category('identity', { type: () => SubjectView }) subject: Partial<SubjectView>;
  @Category('procedure', { type: String, nullable: true, description: 'The asylum procedure stage when the meeting closed.' }) procedureStage: string | null;
}

export class MinutesActionView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @Category('deliberation', { format: 'uuid' }) ownerOrganisationId: string;
  @Category('deliberation', { type: String }) ownerOrganisationName: string;
  @Category('deliberation', { type: String, format: 'uuid', nullable: true }) ownerUserId: string | null;
  @Category('deliberation', { type: String }) description: string;
  @Category('deliberation', { format: 'date' }) dueDate: string;
}

export class MinutesActionReviewView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid' }) actionId: string;
  @Category('deliberation', { type: String, description: 'The reviewed action.' }) actionDescription: string;
  @Category('deliberation', { enum: REVIEW_OUTCOMES }) outcome: string;
  @Category('deliberation', { type: String, nullable: true }) reason: string | null;
  @Category('deliberation', { type: String, format: 'date', nullable: true }) newDueDate: string | null;
}

export class MinutesEscalationView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @Category('deliberation', { enum: Object.keys(ESCALATION_TRACKS) }) track: string;
  @Category('deliberation', { example: 'COA' }) targetOrganisationType: string;
  @Category('deliberation', { format: 'uuid' }) requestedByOrganisationId: string;
  @Category('deliberation', { description: 'The status when the meeting closed.' }) status: string;
  @Category('deliberation', { type: String, nullable: true }) reason: string | null;
  @Category('deliberation', { type: String, format: 'date', nullable: true }) responseDueDate: string | null;
}

export class MinutesMeasureView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ enum: ['measures', 'criminal', 'return', 'procedure'], description: 'The category of this measure, decided by its type.' }) category: CategoryName;
  @Category(PER_RECORD, { example: 'intensive_guidance', description: 'A code of the measure catalogue.' }) type: string;
  @Category(PER_RECORD, { format: 'uuid' }) imposingOrganisationId: string;
  @Category(PER_RECORD, { type: String }) legalBasis: string;
  @Category(PER_RECORD, { format: 'date-time' }) startsAt: string;
  @Category(PER_RECORD, { type: String, format: 'date-time', nullable: true }) endsAt: string | null;
  @Category(PER_RECORD, { enum: ['planned', 'active', 'ended', 'revoked'] }) status: string;
  @Category(PER_RECORD, { type: String, nullable: true }) note: string | null;
}

export class MinutesItemView {
  @NotPersonal({ format: 'uuid' }) agendaItemId: string;
  @NotPersonal({ type: 'integer', minimum: 1 }) position: number;
  @Category('deliberation', { description: 'For an item that is not about a case.' }) topic?: string;
  @NotPersonal({ type: () => MinutesCaseView, description: 'For an item about a case; its fields are disclosed one by one.' }) case?: Partial<MinutesCaseView>;
  @Category(PER_RECORD, { type: () => AgendaReasonView, isArray: true, description: 'Why the item was on the agenda; each reason under its own category.' })
  reasons: Partial<AgendaReasonView>[];
  @Category('deliberation', { type: String, nullable: true }) decisionText: string | null;
  @Category('deliberation', { enum: ITEM_OUTCOMES, nullable: true }) outcome: string | null;
  @Category('deliberation', { type: () => StrategyView, description: 'The strategy revision recorded at this item.' }) strategy?: Partial<StrategyView>;
  @Category('deliberation', { type: () => MinutesActionView, isArray: true, description: 'Actions agreed at this item ("which action by whom").' })
  actions: Partial<MinutesActionView>[];
  @Category('deliberation', { type: () => MinutesActionReviewView, isArray: true, description: "Open actions of the item's case reviewed at this meeting." })
  actionReviews: Partial<MinutesActionReviewView>[];
  @Category('deliberation', { type: () => MinutesEscalationView, isArray: true, description: 'Escalations proposed at this meeting.' })
  escalations: Partial<MinutesEscalationView>[];
  @Category(PER_RECORD, { type: () => MinutesMeasureView, isArray: true, description: "Measures recorded on the item's case during the session; each under its own category." })
  measures: Partial<MinutesMeasureView>[];
}

export class MinutesAddendumView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ type: String, format: 'uuid', nullable: true, description: 'The item it corrects or adds to, if any.' }) agendaItemId: string | null;
  @Category('deliberation', { type: String }) text: string;
  @NotPersonal({ format: 'date-time' }) createdAt: string;
}

export class MinutesView {
  @NotPersonal({ format: 'uuid' }) meetingId: string;
  @NotPersonal({ format: 'uuid' }) tableId: string;
  @NotPersonal({ example: 'LKO Harderwijk' }) tableName: string;
  @NotPersonal({ format: 'date-time' }) scheduledAt: string;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) openedAt: string | null;
  @NotPersonal({ format: 'date-time' }) closedAt: string;
  @NotPersonal({ type: String, nullable: true }) location: string | null;
  @NotPersonal({ type: () => AttendanceView, isArray: true, description: 'Each entry disclosed on its own.' }) attendance: Partial<AttendanceView>[];
  @NotPersonal({ type: () => MinutesItemView, isArray: true, description: 'In agenda order; each item disclosed on its own.' }) items: Partial<MinutesItemView>[];
  @NotPersonal({ type: () => MinutesAddendumView, isArray: true, description: 'Corrections and additions made after closing, oldest first.' })
  addenda: Partial<MinutesAddendumView>[];
}

export interface AddendumRow {
  id: string;
  agendaItemId: string | null;
  text: string;
  createdAt: Date | string;
}

export interface RenderedMinutes {
  view: Partial<MinutesView>;
  /** The categories of everything shown, for the processing and audit logs. */
  categories: CategoryName[];
}

type Granted = ReadonlySet<CategoryName>;

/** Renders the snapshot for one viewer; `shown` collects the categories actually disclosed. */
export function renderMinutes(snapshot: MinutesSnapshot, addenda: AddendumRow[], granted: Granted): RenderedMinutes {
  const shown = new Set<CategoryName>();
  const open = <T>(t: Tagged<T> | null | undefined): T | undefined => {
    if (!t || !granted.has(t.category)) return undefined;
    shown.add(t.category);
    return t.value;
  };
  const visible = <T>(list: Tagged<T>[]): Tagged<T>[] => {
    const kept = list.filter((t) => granted.has(t.category));
    for (const t of kept) shown.add(t.category);
    return kept;
  };

  const item = (i: SnapshotItem): Partial<MinutesItemView> => {
    const subject = i.case && open(i.case.subject);
    const caseView = i.case && {
      id: i.case.id,
      reference: i.case.reference,
      subject: subject ? disclose(SubjectView, subject, granted) : undefined,
      procedureStage: open(i.case.procedureStage),
    };
    const strategy = open(i.strategy);
    const reasons = i.reasons.map((t) => ({ ...t.value, category: t.category }));
    for (const c of reasonCategoriesShown(reasons, granted)) shown.add(c);
    const view = disclose(
      MinutesItemView,
      {
        agendaItemId: i.agendaItemId,
        position: i.position,
        topic: open(i.topic),
        case: caseView ? disclose(MinutesCaseView, caseView, granted) : undefined,
        decisionText: open(i.decisionText),
        outcome: open(i.outcome),
        strategy: strategy ? disclose(StrategyView, strategy, granted) : undefined,
        actions: visible(i.actions).map((t) => disclose(MinutesActionView, t.value, granted)),
        actionReviews: visible(i.actionReviews).map((t) => disclose(MinutesActionReviewView, t.value, granted)),
        escalations: visible(i.escalations).map((t) => disclose(MinutesEscalationView, t.value, granted)),
      },
      granted,
    );
    // Per-record lists: disclose() leaves the containers out; each record is disclosed under its own category.
    return {
      ...view,
      reasons: reasonsView(reasons, granted),
      measures: visible(i.measures).map((t) => disclose(MinutesMeasureView, { category: t.category, ...t.value }, granted, t.category)),
    };
  };

  const view = disclose(
    MinutesView,
    {
      meetingId: snapshot.meetingId,
      tableId: snapshot.tableId,
      tableName: snapshot.tableName,
      scheduledAt: snapshot.scheduledAt,
      openedAt: snapshot.openedAt,
      closedAt: snapshot.closedAt,
      location: snapshot.location,
      attendance: snapshot.attendance.map((a) => {
        if (a.note !== null && granted.has('deliberation')) shown.add('deliberation');
        return disclose(AttendanceView, a, granted);
      }),
      items: snapshot.items.map(item),
      addenda: addenda.map((a) => {
        if (granted.has('deliberation')) shown.add('deliberation');
        return disclose(
          MinutesAddendumView,
          { id: a.id, agendaItemId: a.agendaItemId, text: a.text, createdAt: new Date(a.createdAt).toISOString() },
          granted,
        );
      }),
    },
    granted,
  );
  return { view, categories: [...shown] };
}
