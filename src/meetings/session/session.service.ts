import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AssignActionDto, ReviewActionDto } from '../../actions/action.dto';
import { ActionRepository } from '../../actions/action.repository';
import { ActionReviewService } from '../../actions/action-review.service';
import { ActionService, AgreedAt } from '../../actions/action.service';
import { Permission } from '../../auth/permissions';
import { CaseRepository } from '../../cases/case.repository';
import { actorUserId, requireStillAt } from '../../cases/case-support';
import { shownSubjects } from '../../cases/case-view';
import { CreateMeasureDto } from '../../cases/measure.dto';
import { MeasureService } from '../../cases/measure.service';
import { Clock } from '../../common/clock';
import { DomainException, InvalidParam, notFound, ValidationProblem } from '../../common/problem';
import type { RequestContext } from '../../common/request-context';
import { ProposeEscalationDto } from '../../escalations/escalation.dto';
import { EscalationService } from '../../escalations/escalation.service';
import { DomainEventService, DomainEventType } from '../../notifications/domain-event.service';
import { AccessService, CaseAccess, TableAccess } from '../../sharing/access.service';
import { ProcessingLogService } from '../../sharing/processing-log.service';
import { requireAgendaVisible, requireMeetingStatus } from '../meeting-status';
import { MeetingRepository } from '../meeting.repository';
import { DecisionDto, PutAttendanceDto } from './session.dto';
import { AttendanceRow, attendanceView, decisionView, meetingView, sessionCategories, SessionItemRow, SessionMeetingRow, sessionView } from './session-view';
import { SessionError } from './session.errors';
import { Purpose } from '../../sharing/purposes';

/** An agenda item of a meeting in session, resolved for its chair. */
interface SessionItem {
  table: TableAccess;
  /** Null for a topic item. */
  access: CaseAccess | null;
  meetingId: string;
  agendaItemId: string;
  openedAt: Date;
}
type CaseSessionItem = SessionItem & AgreedAt;


const ITEMS = `
  SELECT i.id, i.position, i.case_id, i.topic, i.reasons, i.decision_text, i.outcome,
         CASE WHEN st.id IS NULL THEN NULL
              ELSE json_build_object('id', st.id, 'revision', st.revision, 'kind', st.kind, 'text', st.text, 'createdAt', st.created_at) END AS strategy
    FROM agenda_item i LEFT JOIN case_strategy st ON st.id = i.strategy_id`;

/**
 * The meeting in session (DOMAIN.md section 4.5): the chair opens it, records attendance and, per item,
 * the decision, strategy, actions, measures, escalation proposals and reviews of earlier actions.
 * Every write locks the meeting row, so nothing is recorded once it has been closed.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
    private readonly cases: CaseRepository,
    private readonly measures: MeasureService,
    private readonly actions: ActionService,
    private readonly actionRows: ActionRepository,
    private readonly reviews: ActionReviewService,
    private readonly escalations: EscalationService,
    private readonly meetings: MeetingRepository,
    private readonly clock: Clock,
  ) {}

  async open(ctx: RequestContext, meetingId: string) {
    return this.dataSource.transaction(async (m) => {
      const { meeting } = await this.chairLock(ctx, m, meetingId, 'meeting.open');
      await this.meetings.transition(m, meeting, 'in_session', { openedAt: this.clock.now() });
      await this.events.raise(m, { type: DomainEventType.MeetingOpened, tableId: meeting.table_id, aggregateType: 'meeting', aggregateId: meeting.id, payload: { meetingId } });
      return meetingView((await this.findMeeting(m, meetingId))!);
    });
  }

  async putAttendance(ctx: RequestContext, meetingId: string, dto: PutAttendanceDto) {
    return this.dataSource.transaction(async (m) => {
      const { meeting, table } = await this.chairLock(ctx, m, meetingId, 'attendance.record');
      requireMeetingStatus(meeting, ['in_session'], 'record attendance of');
      const ids = dto.organisations.map((o) => o.organisationId);
      const members = new Set<string>(
        (await m.query(
          `SELECT mo.organisation_id FROM table_member_organisation mo JOIN organisation o ON o.id = mo.organisation_id
            WHERE mo.table_id = $1 AND mo.left_at IS NULL AND o.active AND mo.organisation_id = ANY($2::uuid[])`,
          [meeting.table_id, ids],
        )).map((r: { organisation_id: string }) => r.organisation_id),
      );
      const invalid: InvalidParam[] = ids.flatMap((id, i) => {
        const name = `organisations.${i}.organisationId`;
        if (!members.has(id)) return [{ name, reason: 'is not an active member organisation of the table' }];
        return ids.indexOf(id) < i ? [{ name, reason: 'appears more than once' }] : [];
      });
      if (invalid.length) throw new ValidationProblem(invalid);
      await m.query(`DELETE FROM attendance WHERE meeting_id = $1`, [meetingId]);
      await m.query(
        `INSERT INTO attendance (meeting_id, organisation_id, present, note)
         SELECT $1, * FROM unnest($2::uuid[], $3::boolean[], $4::text[])`,
        [meetingId, ids, dto.organisations.map((o) => o.present), dto.organisations.map((o) => o.note ?? null)],
      );
      return (await this.findAttendance(m, meetingId)).map((r) => attendanceView(r, table.categories));
    });
  }

  async getAttendance(ctx: RequestContext, meetingId: string) {
    const m = this.dataSource.manager;
    const { access } = await this.readable(ctx, m, meetingId, 'attendance.read');
    return (await this.findAttendance(m, meetingId)).map((r) => attendanceView(r, access.categories));
  }

  async decide(ctx: RequestContext, itemId: string, dto: DecisionDto) {
    const startedAt = this.clock.now();
    return this.inSession(ctx, itemId, 'agenda_item.decide', async (m, item) => {
      if (dto.strategy && !item.access) throw new ValidationProblem([{ name: 'strategy', reason: 'is only for an agenda item about a case' }]);
      let strategyId: string | null = null;
      if (dto.strategy && item.access) {
        // The case row lock makes the revision number safe against a concurrent revision (as CasePlanService does).
        requireStillAt(item.access, await this.cases.lockCase(m, item.access.caseId));
        strategyId = (await this.cases.insertStrategy(m, item.access.caseId, dto.strategy.kind, dto.strategy.text, actorUserId(ctx))).id;
      }
      await m.query(
        `UPDATE agenda_item SET decision_text = $2, outcome = $3, strategy_id = coalesce($4, strategy_id), updated_at = now() WHERE id = $1`,
        [itemId, dto.decisionText ?? null, dto.outcome ?? null, strategyId],
      );
      await this.log.record(m, ctx, item.access ?? item.table, {
        operation: 'agenda_item.decide',
        activityCategory: 'deliberation',
        categories: ['deliberation'],
        subjects: item.access ? [{ subjectId: item.access.subjectId, vNumber: item.access.vNumber }] : [],
        purpose: Purpose.DecisionRecording,
        startedAt,
      });
      const [row]: SessionItemRow[] = await m.query(`${ITEMS} WHERE i.id = $1`, [itemId]);
      return decisionView(row, item.table.categories);
    });
  }

  assignAction(ctx: RequestContext, itemId: string, dto: AssignActionDto) {
    return this.inCaseSession(ctx, itemId, 'action.create', (m, item) => this.actions.assign(m, ctx, item, dto));
  }

  reviewAction(ctx: RequestContext, itemId: string, dto: ReviewActionDto) {
    return this.inCaseSession(ctx, itemId, 'action.review', (m, item) => this.reviews.review(m, ctx, item, dto));
  }

  proposeEscalation(ctx: RequestContext, itemId: string, dto: ProposeEscalationDto) {
    return this.inCaseSession(ctx, itemId, 'escalation.propose', (m, item) => this.escalations.propose(m, ctx, item, dto));
  }

  /**
   * MeasureService records in its own transaction, so the meeting lock is released before it runs: a
   * measure recorded at the very moment the meeting closes still lands on the case, which is where it belongs.
   */
  async addMeasure(ctx: RequestContext, itemId: string, dto: CreateMeasureDto) {
    const caseId = await this.inCaseSession(ctx, itemId, 'measure.create', async (_, item) => item.access.caseId);
    return this.measures.create(ctx, caseId, dto);
  }

  async getSession(ctx: RequestContext, meetingId: string) {
    const startedAt = this.clock.now();
    // The read and its log entries commit together, before the response is sent.
    return this.dataSource.transaction(async (m) => {
      const { access, meeting } = await this.readable(ctx, m, meetingId, 'session.read');
      requireAgendaVisible(meeting as SessionMeetingRow & { agenda_published_at: Date | null }, access.role);
      const items: SessionItemRow[] = await m.query(`${ITEMS} WHERE i.meeting_id = $1 ORDER BY i.position, i.id`, [meetingId]);
      const caseIds = items.flatMap((i) => (i.case_id ? [i.case_id] : []));
      const today = this.clock.today();
      const summaries = await this.cases.findSummaries(m, meeting.table_id, caseIds, today);
      const content = {
        meeting,
        attendance: await this.findAttendance(m, meetingId),
        items,
        cases: new Map(summaries.map((c) => [c.id, c])),
        actions: await this.actionRows.findAgreedAt(m, meetingId),
        reviews: await this.actionRows.findReviewsAt(m, meetingId),
        escalations: await this.escalations.findProposedAt(m, meetingId),
      };
      await this.log.record(m, ctx, access, {
        operation: 'session.read',
        activityCategory: 'deliberation',
        categories: sessionCategories(content, access.categories),
        subjects: shownSubjects(summaries),
        purpose: Purpose.CaseDiscussion,
        startedAt,
      });
      return sessionView(content, access.categories, today);
    });
  }

  /** The chair's lock on a meeting. */
  private async chairLock(ctx: RequestContext, m: EntityManager, meetingId: string, operation: string) {
    const table = await this.access.require(ctx, 'meeting', meetingId, { permission: Permission.SessionManage, operation }, m);
    return { meeting: (await this.meetings.lock(m, meetingId))!, table };
  }

  private async readable(ctx: RequestContext, m: EntityManager, meetingId: string, operation: string) {
    const access = await this.access.require(ctx, 'meeting', meetingId, { permission: Permission.MeetingRead, operation }, m);
    return { access, meeting: (await this.findMeeting(m, meetingId))! };
  }

  /**
   * Runs `fn` in one transaction for the chair, with the item's meeting locked and in session and, for a
   * case item, the case visible to the chair. Every refusal comes before anything is written.
   */
  private inSession<T>(ctx: RequestContext, itemId: string, operation: string, fn: (m: EntityManager, item: SessionItem) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (m) => {
      const { caseId, subjectId, vNumber, ...table } = await this.access.require(ctx, 'agendaItem', itemId, { permission: Permission.SessionManage, operation }, m);
      const [found] = await m.query(`SELECT meeting_id FROM agenda_item WHERE id = $1`, [itemId]);
      // A re-draft may have removed the item since the access check.
      if (!found) throw notFound('Agenda item');
      const meeting = (await this.meetings.lock(m, found.meeting_id))!;
      requireMeetingStatus(meeting, ['in_session'], 'record the session of');
      // Read again under the meeting lock: the agenda cannot change any more while we write.
      const [item] = await m.query(`SELECT case_id FROM agenda_item WHERE id = $1 AND meeting_id = $2`, [itemId, meeting.id]);
      if (!item) throw notFound('Agenda item');
      // A case that has moved to another table since it was put on this agenda is no longer this table's.
      if (item.case_id && item.case_id !== caseId) await this.access.deny(ctx, operation, table, notFound('Case'));
      const access: CaseAccess | null = caseId ? { ...table, caseId, subjectId: subjectId!, vNumber: vNumber! } : null;
      await this.access.requireCategories(ctx, table, ['deliberation'], operation);
      return fn(m, { table, access, meetingId: meeting.id, agendaItemId: itemId, openedAt: meeting.opened_at! });
    });
  }

  /** As `inSession`, for what only an item about a case can hold (actions, measures, escalations, reviews). */
  private inCaseSession<T>(ctx: RequestContext, itemId: string, operation: string, fn: (m: EntityManager, item: CaseSessionItem) => Promise<T>): Promise<T> {
    return this.inSession(ctx, itemId, operation, (m, item) => {
      if (!item.access) throw new DomainException(HttpStatus.CONFLICT, SessionError.NotACaseItem, 'This agenda item is a topic, not a case.');
      return fn(m, { ...item, access: item.access });
    });
  }

  private findMeeting(m: EntityManager, meetingId: string): Promise<SessionMeetingRow | undefined> {
    return this.meetings.findById(m, meetingId);
  }

  private findAttendance(m: EntityManager, meetingId: string): Promise<AttendanceRow[]> {
    return m.query(
      `SELECT a.organisation_id, o.type AS organisation_type, o.name AS organisation_name, a.present, a.note, a.recorded_at
         FROM attendance a JOIN organisation o ON o.id = a.organisation_id
        WHERE a.meeting_id = $1 ORDER BY o.type, o.name, o.id`,
      [meetingId],
    );
  }
}
