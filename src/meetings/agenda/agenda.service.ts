import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { Permission } from '../../auth/permissions';
import { requireCaseStillOpen } from '../../cases/incident.service';
import { Clock } from '../../common/clock';
import { conflict, DomainException, notFound, ValidationProblem } from '../../common/problem';
import type { RequestContext } from '../../common/request-context';
import { DomainEventService, DomainEventType } from '../../notifications/domain-event.service';
import { AccessService, TableAccess } from '../../sharing/access.service';
import { ProcessingLogService, TouchedSubject } from '../../sharing/processing-log.service';
import { AgendaDraftService } from './agenda-draft.service';
import { AgendaReasonInputDto, CreateAgendaItemDto, ReorderAgendaDto, UpdateAgendaItemDto } from './agenda.dto';
import { AgendaRepository, ItemRow } from './agenda.repository';
import { agendaCategories, agendaItemView, AgendaItemView, AgendaSummaryView, agendaView, AgendaView, StoredReason, summaryView } from './agenda-view';
import { requireAgendaVisible, requireMeetingStatus } from '../meeting-status';
import { MeetingRepository } from '../meeting.repository';
import { AgendaError } from './agenda.errors';
import { Purpose } from '../../sharing/purposes';

const EDITABLE = ['planned', 'agenda_published'] as const;
const PURPOSE = Purpose.CasePreparation;

/** The chair's reasons as stored; an item the chair put on keeps its marker so re-drafts keep it too. */
function chairReasons(input: AgendaReasonInputDto[] | undefined, marker: boolean): StoredReason[] {
  const given = (input ?? []).map((r): StoredReason => ({ code: r.code, ...(r.detail ? { detail: r.detail } : {}), category: 'deliberation', origin: 'chair' }));
  return marker ? [{ code: 'added_by_chair', category: 'deliberation', origin: 'chair' }, ...given] : given;
}

const isUsed = (e: unknown) => e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23503';

/** Editing, ordering, publishing and reading a meeting's agenda. Drafting is AgendaDraftService's. */
@Injectable()
export class AgendaService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
    private readonly agenda: AgendaRepository,
    private readonly drafts: AgendaDraftService,
    private readonly meetings: MeetingRepository,
    private readonly clock: Clock,
  ) {}

  async draft(ctx: RequestContext, meetingId: string): Promise<AgendaSummaryView> {
    const access = await this.access.require(ctx, 'meeting', meetingId, { permission: Permission.AgendaManage, operation: 'agenda.draft' });
    return this.drafts.assemble(meetingId, { ctx, access });
  }

  async addItem(ctx: RequestContext, meetingId: string, dto: CreateAgendaItemDto): Promise<Partial<AgendaItemView>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const access = await this.editable(ctx, m, meetingId, 'agenda_item.create');
      if (dto.caseId !== undefined) {
        const check = { permission: Permission.AgendaManage, operation: 'agenda_item.create', within: { tableId: access.tableId } };
        const caseAccess = await this.access.require(ctx, 'case', dto.caseId, check, m);
        await requireCaseStillOpen(m, caseAccess);
        if ((await this.agenda.findItems(m, meetingId)).some((i) => i.case_id === dto.caseId)) {
          throw conflict(AgendaError.AlreadyOnAgenda, 'The case is on this agenda already; edit its item instead.');
        }
      }
      await this.access.requireCategories(ctx, access, ['deliberation'], 'agenda_item.create');
      const itemId = await this.agenda.insertItem(m, meetingId, { caseId: dto.caseId ?? null, topic: dto.topic ?? null, reasons: chairReasons(dto.reasons, true) });
      return this.respond(m, ctx, access, meetingId, itemId, { operation: 'agenda_item.create', startedAt });
    });
  }

  async updateItem(ctx: RequestContext, itemId: string, dto: UpdateAgendaItemDto): Promise<Partial<AgendaItemView>> {
    const startedAt = this.clock.now();
    if (dto.reasons === undefined && dto.topic === undefined) throw new ValidationProblem([{ name: 'body', reason: 'names no field to change' }]);
    return this.dataSource.transaction(async (m) => {
      const { item, access } = await this.editableItem(ctx, m, itemId, 'agenda_item.update');
      if (dto.topic !== undefined && item.case_id !== null) throw new ValidationProblem([{ name: 'topic', reason: 'applies to topic items only' }]);
      await this.access.requireCategories(ctx, access, ['deliberation'], 'agenda_item.update');
      const marker = item.reasons.some((r) => r.origin === 'chair' && r.code === 'added_by_chair');
      const reasons = dto.reasons && [...item.reasons.filter((r) => r.origin !== 'chair'), ...chairReasons(dto.reasons, marker)];
      await this.agenda.updateItem(m, itemId, { topic: dto.topic, reasons });
      return this.respond(m, ctx, access, item.meeting_id, itemId, { operation: 'agenda_item.update', startedAt });
    });
  }

  async removeItem(ctx: RequestContext, itemId: string): Promise<void> {
    const startedAt = this.clock.now();
    await this.dataSource
      .transaction(async (m) => {
        // Taking a restricted person's case off an agenda lessens processing: the restriction does not stop it.
        const { item, access } = await this.editableItem(ctx, m, itemId, 'agenda_item.delete', true);
        await this.access.requireCategories(ctx, access, ['deliberation'], 'agenda_item.delete');
        const subjects = item.case_id ? (await this.agenda.findAgenda(m, item.meeting_id, this.clock.now(), [itemId])).flatMap((r) => (r.subject ? [r.subject] : [])) : [];
        await this.agenda.deleteItems(m, [itemId]);
        const rest = (await this.agenda.findItems(m, item.meeting_id)).map((i) => i.id);
        if (rest.length) await this.agenda.setPositions(m, rest);
        if (subjects.length) await this.record(m, ctx, access, { operation: 'agenda_item.delete', subjects, categories: ['deliberation'], startedAt });
      })
      .catch((e: unknown) => {
        throw isUsed(e) ? conflict(AgendaError.ItemInUse, 'Actions or escalations refer to this item; it cannot be removed.') : e;
      });
  }

  async reorder(ctx: RequestContext, meetingId: string, dto: ReorderAgendaDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.editable(ctx, m, meetingId, 'agenda.reorder');
      const current = (await this.agenda.findItems(m, meetingId)).map((i) => i.id);
      const given = new Set(dto.itemIds);
      if (current.length !== given.size || current.some((id) => !given.has(id))) {
        throw new DomainException(HttpStatus.CONFLICT, AgendaError.ItemsMismatch, "itemIds must name every item of the meeting's agenda exactly once.", {
          itemCount: current.length,
        });
      }
      await this.agenda.setPositions(m, dto.itemIds);
    });
  }

  async publish(ctx: RequestContext, meetingId: string): Promise<AgendaSummaryView> {
    return this.dataSource.transaction(async (m) => {
      await this.access.require(ctx, 'meeting', meetingId, { permission: Permission.AgendaManage, operation: 'agenda.publish' }, m);
      const locked = (await this.meetings.lock(m, meetingId))!;
      await this.meetings.transition(m, locked, 'agenda_published', { agendaPublishedAt: this.clock.now() });
      const itemCount = await this.agenda.countItems(m, meetingId);
      await this.events.raise(m, {
        type: DomainEventType.AgendaPublished,
        tableId: locked.table_id,
        aggregateType: 'meeting',
        aggregateId: meetingId,
        payload: { meetingId, itemCount },
      });
      return summaryView((await this.meetings.findById(m, meetingId))!, itemCount);
    });
  }

  /** Each viewer sees the agenda under their own covenant; members only once it is published. */
  async read(ctx: RequestContext, meetingId: string): Promise<AgendaView> {
    const startedAt = this.clock.now();
    // No transaction: under READ COMMITTED each statement reads its own snapshot either way, and the log
    // entries are one INSERT written before the answer.
    const m = this.dataSource.manager;
    const access = await this.access.require(ctx, 'meeting', meetingId, { permission: Permission.MeetingRead, operation: 'agenda.read' }, m);
    const meeting = await this.agenda.findMeeting(m, meetingId);
    requireAgendaVisible(meeting!, access.role);
    const rows = await this.agenda.findAgenda(m, meetingId, this.clock.now());
    const subjects = rows.flatMap((r) => (r.subject ? [r.subject] : []));
    await this.record(m, ctx, access, { operation: 'agenda.read', subjects, categories: agendaCategories(rows, access.categories), startedAt });
    return agendaView(meeting!, rows, access.categories);
  }

  /** The chair of the meeting's table, with the meeting locked and still open for editing. */
  private async editable(ctx: RequestContext, m: EntityManager, meetingId: string, operation: string): Promise<TableAccess> {
    const access = await this.access.require(ctx, 'meeting', meetingId, { permission: Permission.AgendaManage, operation }, m);
    requireMeetingStatus((await this.meetings.lock(m, meetingId))!, EDITABLE, 'edit the agenda of');
    return access;
  }

  private async editableItem(ctx: RequestContext, m: EntityManager, itemId: string, operation: string, allowRestricted = false): Promise<{ item: ItemRow; access: TableAccess }> {
    const access = await this.access.require(ctx, 'agendaItem', itemId, { permission: Permission.AgendaManage, operation, allowRestricted }, m);
    const found = await this.agenda.findItem(m, itemId);
    // A re-draft may have removed the item since the access check.
    if (!found) throw notFound('Agenda item');
    requireMeetingStatus((await this.meetings.lock(m, found.meeting_id))!, EDITABLE, 'edit the agenda of');
    // Re-read under the meeting's lock: a draft may have changed the item meanwhile.
    const item = await this.agenda.findItem(m, itemId);
    if (!item) throw notFound('Agenda item');
    return { item, access };
  }

  private async respond(
    m: EntityManager,
    ctx: RequestContext,
    access: TableAccess,
    meetingId: string,
    itemId: string,
    op: { operation: string; startedAt: Date },
  ): Promise<Partial<AgendaItemView>> {
    const [row] = await this.agenda.findAgenda(m, meetingId, this.clock.now(), [itemId]);
    if (row.subject) {
      await this.record(m, ctx, access, { operation: op.operation, subjects: [row.subject], categories: agendaCategories([row], access.categories), startedAt: op.startedAt });
    }
    return agendaItemView(row, access.categories);
  }

  private record(m: EntityManager, ctx: RequestContext, access: TableAccess, op: { operation: string; subjects: TouchedSubject[]; categories: ReturnType<typeof agendaCategories>; startedAt: Date }) {
    return this.log.record(m, ctx, access, {
      operation: op.operation,
      activityCategory: 'deliberation',
      categories: op.categories,
      subjects: op.subjects,
      purpose: PURPOSE,
      startedAt: op.startedAt,
    });
  }
}
