import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../auth/permissions';
import { Clock } from '../common/clock';
import { conflict, notFound, ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { DomainEventService, DomainEventType } from '../notifications/domain-event.service';
import { AccessService, TableAccess } from '../sharing/access.service';
import type { HolidayPolicy } from '../tables/table.entity';
import { occurrences } from './cadence';
import { Keyset } from '../common/list-query';
import { DEFAULT_PAGE_SIZE, Page, pageOf } from '../common/pagination';
import { CreateMeetingDto, ListMeetingsQuery, MEETING_SORT, UpdateMeetingDto } from './meeting.dto';
import { requireMeetingStatus } from './meeting-status';
import { MeetingView, meetingView } from './meeting-view';
import { LockedMeeting, MeetingRepository, StoredMeeting } from './meeting.repository';
import { MeetingError } from './meetings.errors';

export const DEFAULT_WEEKS_AHEAD = 8;
const WEEK_MS = 7 * 86_400_000;
/** A meeting can be moved while its agenda is being prepared or published, not once it has started. */
const MOVABLE = ['planned', 'agenda_published'] as const;

/**
 * Meetings of a table: generated ahead from the cadence, added, moved and cancelled by the chair. A meeting
 * holds no personal data, so nothing here writes the processing log; every status change goes through
 * MeetingRepository's lock and transition, and every change raises its domain event in its own transaction.
 */
@Injectable()
export class MeetingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly events: DomainEventService,
    private readonly meetings: MeetingRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates the meetings of the table's cadence from now to `weeks` ahead that do not exist yet, and
   * returns them. Safe to run any number of times, concurrently too: a cadence occurrence is keyed by the
   * unique (table_id, cadence_slot) index, so a meeting that was moved or cancelled is never re-created.
   * For the scheduled job as well as the chair's request.
   */
  async generateAhead(tableId: string, weeks = DEFAULT_WEEKS_AHEAD, m?: EntityManager): Promise<StoredMeeting[]> {
    if (!m) return this.dataSource.transaction((tx) => this.generateAhead(tableId, weeks, tx));
    const [table] = await m.query(`SELECT cadence_rrule, holiday_policy, active FROM chain_table WHERE id = $1`, [tableId]);
    if (!table) throw notFound('Table');
    if (!table.active) throw conflict(MeetingError.TableInactive, 'The table is inactive; no meetings are generated for it.');
    const now = this.clock.now();
    const due = this.cadence(table.cadence_rrule, table.holiday_policy, now, new Date(now.getTime() + weeks * WEEK_MS)).filter((o) => o.scheduledAt > now);
    if (!due.length) return [];
    const created = await this.meetings.insertOccurrences(m, tableId, due);
    if (!created.length) return [];
    const rows = await this.meetings.findByIds(m, created);
    await this.events.raise(
      m,
      ...rows.map((r) => ({
        type: DomainEventType.MeetingScheduled,
        tableId,
        aggregateType: 'meeting' as const,
        aggregateId: r.id,
        payload: { scheduledAt: r.scheduled_at.toISOString(), generated: true },
      })),
    );
    return rows;
  }

  async generate(ctx: RequestContext, tableId: string, weeks = DEFAULT_WEEKS_AHEAD): Promise<Partial<MeetingView>[]> {
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'table', tableId, { permission: Permission.MeetingManage, operation: 'meeting.generate' }, m);
      const rows = await this.generateAhead(tableId, weeks, m);
      return rows.map((r) => meetingView(r, access.categories));
    });
  }

  /** Ascending by time: the next meeting first when listing from now on. */
  async list(ctx: RequestContext, tableId: string, query: ListMeetingsQuery): Promise<Page<Partial<MeetingView>>> {
    if (query.from && query.to && Date.parse(query.to) < Date.parse(query.from)) {
      throw new ValidationProblem([{ name: 'to', reason: 'must not be before from' }]);
    }
    const access = await this.access.require(ctx, 'table', tableId, { permission: Permission.MeetingRead, operation: 'meeting.list' });
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const keyset = new Keyset(MEETING_SORT, query.sort ?? 'scheduledAt', 'm.id');
    const filters = { from: query.from ? new Date(query.from) : undefined, to: query.to ? new Date(query.to) : undefined, status: query.status };
    const rows = await this.meetings.findPageOfTable(this.dataSource.manager, tableId, filters, keyset, query.cursor, limit);
    return pageOf(rows, limit, keyset.positionOf, (r) => meetingView(r, access.categories));
  }

  async get(ctx: RequestContext, meetingId: string): Promise<Partial<MeetingView>> {
    const access = await this.access.require(ctx, 'meeting', meetingId, { permission: Permission.MeetingRead, operation: 'meeting.read' });
    const row = (await this.meetings.findById(this.dataSource.manager, meetingId))!;
    return meetingView(row, access.categories);
  }

  /** An ad-hoc meeting: not part of the cadence (no slot), so regeneration never touches it. */
  async create(ctx: RequestContext, tableId: string, dto: CreateMeetingDto): Promise<Partial<MeetingView>> {
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'table', tableId, { permission: Permission.MeetingManage, operation: 'meeting.create' }, m);
      const id = await this.meetings.insert(m, { tableId, scheduledAt: new Date(dto.scheduledAt), location: dto.location ?? null });
      const row = (await this.meetings.findById(m, id))!;
      await this.events.raise(m, {
        type: DomainEventType.MeetingScheduled,
        tableId,
        aggregateType: 'meeting',
        aggregateId: id,
        payload: { scheduledAt: row.scheduled_at.toISOString(), generated: false },
      });
      return meetingView(row, access.categories);
    });
  }

  async update(ctx: RequestContext, meetingId: string, dto: UpdateMeetingDto): Promise<Partial<MeetingView>> {
    if (dto.scheduledAt === undefined && dto.location === undefined) {
      throw new ValidationProblem([{ name: 'body', reason: 'names no field to change (scheduledAt, location)' }]);
    }
    return this.dataSource.transaction(async (m) => {
      const { meeting, access } = await this.lockForChair(ctx, m, meetingId, 'meeting.move');
      requireMeetingStatus(meeting, MOVABLE, 'move');
      const before = (await this.meetings.findById(m, meetingId))!;
      const scheduledAt = dto.scheduledAt !== undefined ? new Date(dto.scheduledAt) : before.scheduled_at;
      const location = dto.location !== undefined ? dto.location : before.location;
      if (scheduledAt.getTime() === before.scheduled_at.getTime() && location === before.location) return meetingView(before, access.categories);
      await this.meetings.move(m, meetingId, scheduledAt, location);
      await this.events.raise(m, {
        type: DomainEventType.MeetingMoved,
        tableId: meeting.table_id,
        aggregateType: 'meeting',
        aggregateId: meetingId,
        payload: {
          scheduledAt: scheduledAt.toISOString(),
          previousScheduledAt: before.scheduled_at.toISOString(),
          locationChanged: location !== before.location,
        },
      });
      return meetingView((await this.meetings.findById(m, meetingId))!, access.categories);
    });
  }

  async cancel(ctx: RequestContext, meetingId: string, reason: string): Promise<Partial<MeetingView>> {
    return this.dataSource.transaction(async (m) => {
      const { meeting, access } = await this.lockForChair(ctx, m, meetingId, 'meeting.cancel');
      await this.meetings.transition(m, meeting, 'cancelled', { cancelledReason: reason });
      await this.events.raise(m, {
        type: DomainEventType.MeetingCancelled,
        tableId: meeting.table_id,
        aggregateType: 'meeting',
        aggregateId: meetingId,
        payload: { scheduledAt: meeting.scheduled_at.toISOString() },
      });
      return meetingView((await this.meetings.findById(m, meetingId))!, access.categories);
    });
  }

  private async lockForChair(ctx: RequestContext, m: EntityManager, meetingId: string, operation: string): Promise<{ meeting: LockedMeeting; access: TableAccess }> {
    const access = await this.access.require(ctx, 'meeting', meetingId, { permission: Permission.MeetingManage, operation }, m);
    return { meeting: (await this.meetings.lock(m, meetingId))!, access };
  }

  private cadence(rrule: string, policy: HolidayPolicy, from: Date, to: Date) {
    try {
      return occurrences(rrule, policy, from, to);
    } catch {
      // Cadences are validated when written; one that still cannot be read is the chair's to correct.
      throw conflict(MeetingError.CadenceUnreadable, "The table's cadence cannot be read; correct it on the table.");
    }
  }
}
