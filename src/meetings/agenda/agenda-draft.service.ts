import { Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { amsterdamDate } from '../../common/working-days';
import { notFound } from '../../common/problem';
import type { RequestContext } from '../../common/request-context';
import { DomainEventService, DomainEventType } from '../../notifications/domain-event.service';
import type { TableAccess } from '../../sharing/access.service';
import type { Category } from '../../sharing/categories';
import { ProcessingLogService, TouchedSubject } from '../../sharing/processing-log.service';
import { AGENDA_REASON_GROUP, AgendaSummaryView, DRAFT_REASON_CODES, DraftReasonCode, draftReasonCategory, StoredReason, summaryView } from './agenda-view';
import { AgendaRepository, DraftItemRow, DraftReasonRow, ItemWrite } from './agenda.repository';
import { requireMeetingStatus } from '../meeting-status';
import { DraftedMeeting, LockedMeeting, MeetingRepository } from '../meeting.repository';
import { Purpose } from '../../sharing/purposes';

/** Who asked for the draft; absent when the scheduled job assembles it. */
export interface DraftActor {
  ctx: RequestContext;
  access: TableAccess;
}

/** The schedule drafts: the system, under a trace of its own (no request prompted it). */
export interface SystemDraft {
  traceId: string;
}

/** A new W3C trace id for work the system starts by itself. */
export const newSystemTraceId = () => randomBytes(16).toString('hex');

const CHAIR_GROUP = 8;
const CATEGORY_ORDER: Category[] = ['deliberation', 'incidents', 'criminal'];

const isChairs = (r: StoredReason) => r.origin === 'chair';

function toReason(row: DraftReasonRow): StoredReason {
  const reason: StoredReason = {
    code: row.code,
    category: draftReasonCategory(row.code, row.classification),
    origin: 'draft',
  };
  if (row.detail !== null) reason.detail = row.detail;
  if (row.via !== null) reason.via = row.via;
  return reason;
}

const reasonOrder = (a: StoredReason, b: StoredReason) =>
  DRAFT_REASON_CODES.indexOf(a.code as DraftReasonCode) - DRAFT_REASON_CODES.indexOf(b.code as DraftReasonCode) ||
  CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category) ||
  (a.via === b.via ? 0 : a.via === 'member' ? -1 : 1);

interface DraftedCase {
  reference: string;
  subject: TouchedSubject;
  reasons: StoredReason[];
}

/** Each case's drafted reasons, best first. */
function reasonsByCase(rows: DraftReasonRow[]): Map<string, DraftedCase> {
  const byCase = new Map<string, DraftedCase>();
  for (const row of rows) {
    const entry = byCase.get(row.case_id) ?? { reference: row.reference, subject: { subjectId: row.subject_id, vNumber: row.v_number }, reasons: [] };
    entry.reasons.push(toReason(row));
    byCase.set(row.case_id, entry);
  }
  for (const entry of byCase.values()) entry.reasons.sort(reasonOrder);
  return byCase;
}

/** The queries drafting runs; stateless, so the demo seed can construct them before any service exists. */
export interface DraftRepositories {
  agenda: AgendaRepository;
}

/**
 * Assembles the draft agenda of a planned meeting. Rebuilds the case items from what the cases say now;
 * items the chair put on or gave reasons by hand (a reason with origin `chair`) and topic items stay.
 * The same statements whatever the number of cases (test/agenda-budget.e2e-spec.ts): lock the meeting, one
 * read of everything the draft weighs, one write of the items and the meeting, both logs, the event.
 */
@Injectable()
export class AgendaDraftService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly agenda: AgendaRepository,
    private readonly meetings: MeetingRepository,
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
    private readonly clock: Clock,
  ) {}

  /**
   * For the scheduled job and for the chair (`actor`, already checked to be the chair of the meeting's
   * table). 409 unless the meeting is planned.
   */
  async assemble(meetingId: string, actor?: DraftActor): Promise<AgendaSummaryView> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const meeting = await this.meetings.lock(m, meetingId);
      if (!meeting || (actor && meeting.table_id !== actor.access.tableId)) throw notFound('Meeting');
      return this.draftLocked(m, meeting, actor ?? { traceId: newSystemTraceId() }, startedAt);
    });
  }

  /**
   * Drafts a meeting the caller has locked, in the caller's transaction (the scheduled draft re-checks the
   * meeting under that lock first). The chair's draft is logged as theirs; the schedule's as an operation of
   * the system (processing log under the table's deliberation activity, audit entry with actor kind `system`).
   */
  async draftLocked(m: EntityManager, meeting: LockedMeeting, by: DraftActor | SystemDraft, startedAt = this.clock.now()): Promise<AgendaSummaryView> {
    const { itemCount, categories, subjects, drafted } = await draftAgenda(m, { agenda: this.agenda }, meeting, this.clock.now());
    if ('ctx' in by) {
      await this.log.record(m, by.ctx, by.access, {
        operation: 'agenda.draft',
        activityCategory: 'deliberation',
        categories,
        subjects,
        purpose: Purpose.CasePreparation,
        startedAt,
      });
    } else {
      await this.log.recordBySystem(m, by.traceId, meeting.table_id, {
        operation: 'agenda.draft_by_schedule',
        activityCategory: 'deliberation',
        categories,
        subjects,
        purpose: Purpose.CasePreparation,
        startedAt,
      });
    }
    await this.events.raise(m, {
      type: DomainEventType.AgendaDrafted,
      tableId: meeting.table_id,
      aggregateType: 'meeting',
      aggregateId: meeting.id,
      payload: { meetingId: meeting.id, itemCount, draftedBy: 'ctx' in by ? 'chair' : 'schedule' },
    });
    return summaryView(drafted, itemCount);
  }
}

/**
 * The drafting rules of DOMAIN.md section 4.3, applied to a planned, locked meeting in the caller's
 * transaction: the scheduled job, the chair and the demo seed all draft with this. What is new "since the
 * last meeting" is what was recorded (or pushed) after the table's previous meeting was closed, whenever
 * it happened: each incident is new on the drafts up to the next close, and on none after it.
 * `at` is the moment of drafting (the Clock's now; "today" for overdue actions and passed review dates);
 * with `replay`, the draft is replayed as it stood at that moment, ignoring incidents recorded after it
 * (the demo seed's meeting of last week). Returns, besides the agenda's size and categories, the people whose
 * cases are on it (for the processing log; a restricted person is not processed, so not among them) and the
 * meeting as stamped.
 */
export async function draftAgenda(
  m: EntityManager,
  { agenda }: DraftRepositories,
  meeting: LockedMeeting,
  at: Date,
  replay = false,
): Promise<{ itemCount: number; categories: Category[]; subjects: TouchedSubject[]; drafted: DraftedMeeting }> {
  requireMeetingStatus(meeting, ['planned'], 'draft the agenda of');
  const state = await agenda.findDraftState(m, {
    tableId: meeting.table_id,
    meetingId: meeting.id,
    scheduledAt: meeting.scheduled_at,
    at: replay ? at : undefined,
    today: amsterdamDate(at),
    meetingDate: amsterdamDate(new Date(meeting.scheduled_at)),
  });
  const drafted = reasonsByCase(state.reasons);
  const topicNominations = state.topics;
  const existing = state.items;

  const stale: string[] = [];
  const subjects: TouchedSubject[] = [];
  const caseItems: { id: string; isNew: boolean; caseId: string; group: number; position: number; reference: string; reasons: StoredReason[] }[] = [];
  const topicItems: { id: string; isNew: boolean; topic: string; reasons: StoredReason[] }[] = [];
  for (const item of existing) {
    const chairs = item.reasons.filter(isChairs);
    if (item.case_id === null) {
      topicItems.push({ id: item.id, isNew: false, topic: item.topic!, reasons: item.reasons });
      continue;
    }
    const found = drafted.get(item.case_id);
    drafted.delete(item.case_id);
    if (!found && !chairs.length) {
      stale.push(item.id);
      continue;
    }
    if (item.subject_id && !item.restricted) subjects.push({ subjectId: item.subject_id, vNumber: item.v_number! });
    caseItems.push(caseItem(item, found?.reasons ?? [], chairs));
  }
  for (const [caseId, { reference, subject, reasons }] of drafted) {
    subjects.push(subject);
    caseItems.push({ id: randomUUID(), isNew: true, caseId, group: AGENDA_REASON_GROUP[reasons[0].code as DraftReasonCode], position: 0, reference, reasons });
  }
  const onAgenda = new Set(topicItems.flatMap((i) => i.reasons.map((r) => r.nominationId)));
  for (const n of topicNominations.filter((x) => !onAgenda.has(x.id))) {
    const reason: StoredReason = { code: 'nominated', detail: n.reason_code + (n.reason_text ? `: ${n.reason_text}` : ''), category: 'deliberation', origin: 'draft', via: n.source, nominationId: n.id };
    topicItems.push({ id: randomUUID(), isNew: true, topic: n.topic, reasons: [reason] });
  }

  // Items kept for the chair's reasons alone keep their relative order; the others go by reference.
  caseItems.sort((a, b) => a.group - b.group || (a.group === CHAIR_GROUP ? a.position - b.position : 0) || a.reference.localeCompare(b.reference));
  const ordered: (ItemWrite & { isNew: boolean })[] = [
    ...caseItems.map((i) => ({ id: i.id, isNew: i.isNew, caseId: i.caseId, topic: null, reasons: i.reasons, position: 0 })),
    ...topicItems.map((i) => ({ id: i.id, isNew: i.isNew, caseId: null, topic: i.topic, reasons: i.reasons, position: 0 })),
  ].map((item, index) => ({ ...item, position: index + 1 }));

  const stamped = await agenda.writeDraft(m, meeting.id, at, { stale, added: ordered.filter((i) => i.isNew), kept: ordered.filter((i) => !i.isNew) });
  const categories = new Set<Category>(['deliberation']);
  for (const item of ordered) for (const r of item.reasons) categories.add(r.category);
  return { itemCount: ordered.length, categories: [...categories], subjects, drafted: stamped };
}

/** An item already on the agenda: the draft's fresh reasons first, then the chair's. */
function caseItem(item: DraftItemRow, drafted: StoredReason[], chairs: StoredReason[]) {
  return {
    id: item.id,
    isNew: false,
    caseId: item.case_id!,
    group: drafted.length ? AGENDA_REASON_GROUP[drafted[0].code as DraftReasonCode] : CHAIR_GROUP,
    position: item.position,
    reference: item.reference ?? '',
    reasons: [...drafted, ...chairs],
  };
}
