import { ActionReviewView, ActionView } from '../../actions/action-view';
import { StrategyView, SubjectView, subjectView } from '../../cases/case-view';
import { MeasureView } from '../../cases/measure.dto';
import { EscalationView } from '../../escalations/escalation-view';
import type { Category as CategoryName } from '../../sharing/categories';
import { Category, disclose, NotPersonal, PER_RECORD } from '../../sharing/disclosure';
import { AgendaReasonView, reasonCategoriesShown, reasonsView } from '../agenda/agenda-view';
import { AttendanceView } from '../session/session-view';
import { ITEM_OUTCOMES } from '../session/session.dto';
import type { MinutesSnapshot, SnapshotItem, Tagged } from './minutes-snapshot';

/**
 * The minutes as one viewer may see them. Built only from the frozen snapshot, disclosed under the viewer's
 * current covenant: a value of a category the viewer's organisation is not granted is absent, and a record
 * (reason, measure) of such a category is left out of its list entirely. Every record is rendered with the
 * view class the live API uses for it (reasons as on the agenda, attendance as in the session, strategy,
 * actions, reviews, escalations and measures as on their own routes); only the case excerpt, the item and
 * the addenda are the minutes' own.
 */

/**
 * The case as the minutes froze it (its reference and the procedure stage at closing), with the person as
 * they are now: the minutes hold no identity, so an erased person reads as erased in every later copy.
 */
export class MinutesCaseView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ example: 'HWK-2026-0001' }) reference: string;
  @Category('identity', { type: () => SubjectView, description: 'The person as recorded now (looked up when the minutes are read); `erasedAt` only, once erased.' })
  subject: Partial<SubjectView>;
  @Category('procedure', { type: String, nullable: true, description: 'The asylum procedure stage when the meeting closed.' }) procedureStage: string | null;
  @NotPersonal({ type: Boolean, enum: [true], description: "Present when the person's processing is restricted (art. 18 AVG): the item then shows this case excerpt only." })
  restricted?: true;
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
  @Category('deliberation', { type: () => ActionView, isArray: true, description: 'Actions agreed at this item ("which action by whom"), as agreed.' })
  actions: Partial<ActionView>[];
  @Category('deliberation', { type: () => ActionReviewView, isArray: true, description: "Open actions of the item's case reviewed at this meeting." })
  actionReviews: Partial<ActionReviewView>[];
  @Category('deliberation', { type: () => EscalationView, isArray: true, description: 'Escalations proposed at this meeting, with their status when it closed.' })
  escalations: Partial<EscalationView>[];
  @Category(PER_RECORD, { type: () => MeasureView, isArray: true, description: "Measures recorded on the item's case during the session; each under its own category." })
  measures: Partial<MeasureView>[];
}

export class MinutesAddendumView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ type: String, format: 'uuid', nullable: true, description: 'The item it corrects or adds to, if any.' }) agendaItemId: string | null;
  @Category('deliberation', { type: String }) text: string;
  @NotPersonal({ format: 'date-time' }) createdAt: string;
  @NotPersonal({ type: Boolean, enum: [true], description: "Present (and `text` absent) when it is about an item of a person whose processing is restricted." })
  restricted?: true;
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

/** The person of a case in the minutes, as recorded now (see MINUTES_FORMAT); looked up by MinutesService. */
export interface MinutesPerson {
  case_id: string;
  subject_id: string;
  v_number: string;
  family_name: string | null;
  given_names: string | null;
  date_of_birth: string | null;
  nationality: string | null;
  subject_erased_at: Date | null;
  restricted: boolean;
}

export interface RenderedMinutes {
  view: Partial<MinutesView>;
  /** The categories of everything shown, for the processing and audit logs. */
  categories: CategoryName[];
}

type Granted = ReadonlySet<CategoryName>;

/**
 * Renders the snapshot for one viewer, with each case's person as `people` has them now; `shown` collects the
 * categories actually disclosed. An item of a restricted person shows its case's id and reference and that
 * it is restricted, nothing else (nor do addenda to it).
 */
export function renderMinutes(snapshot: MinutesSnapshot, addenda: AddendumRow[], granted: Granted, people: ReadonlyMap<string, MinutesPerson>): RenderedMinutes {
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

  const restrictedItems = new Set(snapshot.items.filter((i) => i.case && people.get(i.case.id)?.restricted).map((i) => i.agendaItemId));

  const item = (i: SnapshotItem): Partial<MinutesItemView> => {
    const person = i.case ? people.get(i.case.id) : undefined;
    if (i.case && restrictedItems.has(i.agendaItemId)) {
      const restricted = disclose(MinutesCaseView, { id: i.case.id, reference: i.case.reference, restricted: true }, granted);
      return { ...disclose(MinutesItemView, { agendaItemId: i.agendaItemId, position: i.position, case: restricted }, granted), reasons: [], measures: [] };
    }
    const identity = person && granted.has('identity') ? subjectView(person, granted) : undefined;
    if (identity && !person!.subject_erased_at) shown.add('identity');
    const caseView = i.case && {
      id: i.case.id,
      reference: i.case.reference,
      subject: identity,
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
        actions: visible(i.actions).map((t) => disclose(ActionView, t.value, granted)),
        actionReviews: visible(i.actionReviews).map((t) => disclose(ActionReviewView, t.value, granted)),
        escalations: visible(i.escalations).map((t) => disclose(EscalationView, t.value, granted)),
      },
      granted,
    );
    // Per-record lists: disclose() leaves the containers out; each record is disclosed under its own category.
    return {
      ...view,
      reasons: reasonsView(reasons, granted),
      measures: visible(i.measures).map((t) => disclose(MeasureView, { ...t.value, category: t.category as MeasureView['category'] }, granted, t.category)),
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
        if (a.agendaItemId && restrictedItems.has(a.agendaItemId)) {
          return disclose(MinutesAddendumView, { id: a.id, agendaItemId: a.agendaItemId, createdAt: new Date(a.createdAt).toISOString(), restricted: true }, granted);
        }
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
