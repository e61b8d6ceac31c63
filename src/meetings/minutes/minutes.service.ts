import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../../auth/permissions';
import { Clock } from '../../common/clock';
import { DomainException, ValidationProblem } from '../../common/problem';
import type { RequestContext } from '../../common/request-context';
import { DomainEventService, DomainEventType } from '../../notifications/domain-event.service';
import { AccessCheck, AccessService, TableAccess } from '../../sharing/access.service';
import type { Category } from '../../sharing/categories';
import { disclose } from '../../sharing/disclosure';
import { ProcessingLogService, TouchedSubject } from '../../sharing/processing-log.service';
import type { MeetingStatus } from '../meeting.entity';
import { requireMeetingStatus } from '../meeting-status';
import { MeetingRepository } from '../meeting.repository';
import { CreateAddendumDto } from './minutes.dto';
import { buildMinutesSnapshot, MinutesSnapshot, snapshotCaseIds, snapshotCategories } from './minutes-snapshot';
import { AddendumRow, MinutesAddendumView, MinutesPerson, MinutesView, renderMinutes } from './minutes-view';
import { caseErased, subjectRestricted } from '../../sharing/restriction';
import { MinutesError } from './minutes.errors';
import { Purpose } from '../../sharing/purposes';


export interface MinutesForViewer {
  view: Partial<MinutesView>;
  /** The viewer's organisation, named in the PDF's footer. */
  organisationName: string;
}

const union = (...lists: Category[][]): Category[] => [...new Set(lists.flat())];

/**
 * The people whose data the minutes process, for the processing log (V-numbers as they are now, which the
 * log hashes): not a restricted person, whose item shows nothing, nor an erased one, who is no longer anyone.
 */
const processed = (people: ReadonlyMap<string, MinutesPerson>): TouchedSubject[] =>
  [...people.values()].filter((p) => !p.restricted && !p.subject_erased_at).map((p) => ({ subjectId: p.subject_id, vNumber: p.v_number }));

/** Closing a meeting (freezing its minutes), reading the minutes per viewer, and addenda. */
@Injectable()
export class MinutesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
    private readonly meetings: MeetingRepository,
    private readonly clock: Clock,
  ) {}

  /** in_session → closed; the snapshot is built and stored in the same statement that closes the meeting. */
  async close(ctx: RequestContext, meetingId: string): Promise<Partial<MinutesView>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const { access } = await this.resolve(ctx, m, meetingId, { permission: Permission.SessionManage, operation: 'meeting.close' });
      const meeting = (await this.meetings.lock(m, meetingId))!;
      // Only a meeting in session has minutes to freeze; checked before any work is done.
      requireMeetingStatus(meeting, ['in_session'], 'close');

      const closedAt = this.clock.now();
      const snapshot = await buildMinutesSnapshot(m, meetingId, closedAt);
      await this.meetings.transition(m, meeting, 'closed', { closedAt, minutes: snapshot });
      const [agreed] = await m.query(
        `SELECT coalesce(array_agg(a.id ORDER BY a.id), '{}') AS ids FROM action a
          WHERE a.agenda_item_id IN (SELECT id FROM agenda_item WHERE meeting_id = $1)`,
        [meetingId],
      );
      await this.events.raise(m, {
        type: DomainEventType.MeetingClosed,
        tableId: access.tableId,
        aggregateType: 'meeting',
        aggregateId: meetingId,
        payload: {
          caseReferences: snapshot.items.flatMap((i) => (i.case ? [i.case.reference] : [])),
          actionIds: agreed.ids,
        },
      });

      const people = await this.people(m, snapshotCaseIds(snapshot));
      const { view, categories } = renderMinutes(snapshot, [], access.categories, people);
      await this.log.record(m, ctx, access, {
        operation: 'meeting.close',
        activityCategory: 'deliberation',
        categories: union(snapshotCategories(snapshot), categories),
        subjects: processed(people),
        purpose: Purpose.Minutes,
        startedAt,
      });
      return view;
    });
  }

  /** The minutes disclosed for the caller; the read is logged in a transaction committed before the response. */
  async read(ctx: RequestContext, meetingId: string, format: 'json' | 'pdf'): Promise<MinutesForViewer> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const { access, meeting } = await this.resolve(ctx, m, meetingId, { permission: Permission.MinutesRead, operation: 'minutes.read' });
      const snapshot = this.requireMinutes(meeting);
      const addenda: AddendumRow[] = await m.query(
        `SELECT id, agenda_item_id AS "agendaItemId", text, created_at AS "createdAt"
           FROM minutes_addendum WHERE meeting_id = $1 ORDER BY created_at, id`,
        [meetingId],
      );
      const people = await this.people(m, snapshotCaseIds(snapshot));
      const { view, categories } = renderMinutes(snapshot, addenda, access.categories, people);
      await this.log.record(m, ctx, access, {
        operation: format === 'pdf' ? 'minutes.export_pdf' : 'minutes.read',
        activityCategory: 'deliberation',
        categories,
        subjects: processed(people),
        purpose: Purpose.Minutes,
        startedAt,
      });
      const [organisation] = await m.query(`SELECT name FROM organisation WHERE id = $1`, [ctx.principal.organisationId]);
      return { view, organisationName: organisation?.name ?? '' };
    });
  }

  async addAddendum(ctx: RequestContext, meetingId: string, dto: CreateAddendumDto): Promise<Partial<MinutesAddendumView>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const { access } = await this.resolve(ctx, m, meetingId, { permission: Permission.SessionManage, operation: 'minutes.addendum' });
      // Shares the lock the close takes, so an addendum never lands on minutes that are still being frozen.
      const meeting = (await this.meetings.lock(m, meetingId))!;
      requireMeetingStatus(meeting, ['closed'], 'add an addendum to the minutes of');
      await this.access.requireCategories(ctx, access, ['deliberation'], 'minutes.addendum');
      const snapshot = (await this.meetings.findMinutes(m, meetingId)) as MinutesSnapshot;
      let caseIds = snapshotCaseIds(snapshot);
      if (dto.agendaItemId !== undefined) {
        const item = snapshot.items.find((i) => i.agendaItemId === dto.agendaItemId);
        if (!item) throw new ValidationProblem([{ name: 'agendaItemId', reason: 'is not an item of this meeting' }]);
        caseIds = item.case ? [item.case.id] : [];
      }
      const people = await this.people(m, caseIds);
      if (dto.agendaItemId !== undefined && caseIds.length) {
        // An addendum about one case writes about its person: not while restricted, not once erased.
        const person = people.get(caseIds[0]);
        if (person?.restricted) await this.access.deny(ctx, 'minutes.addendum', access, subjectRestricted());
        if (person?.case_erased) await this.access.deny(ctx, 'minutes.addendum', access, caseErased());
      }
      const [row] = await m.query(
        `INSERT INTO minutes_addendum (meeting_id, agenda_item_id, text, created_by) VALUES ($1, $2, $3, $4)
         RETURNING id, agenda_item_id AS "agendaItemId", text, created_at AS "createdAt"`,
        [meetingId, dto.agendaItemId ?? null, dto.text, ctx.principal.kind === 'user' ? ctx.principal.id : null],
      );
      await this.events.raise(m, {
        type: DomainEventType.MinutesAddendumAdded,
        tableId: access.tableId,
        aggregateType: 'meeting',
        aggregateId: meetingId,
        payload: { addendumId: row.id, agendaItemId: row.agendaItemId },
      });
      // Without an item the addendum may be about anyone in the minutes, so every subject is logged.
      await this.log.record(m, ctx, access, {
        operation: 'minutes.addendum.create',
        activityCategory: 'deliberation',
        categories: ['deliberation'],
        subjects: processed(people),
        purpose: Purpose.Minutes,
        startedAt,
      });
      return disclose(MinutesAddendumView, { ...row, createdAt: new Date(row.createdAt).toISOString() }, access.categories);
    });
  }

  /** The caller's access to the meeting's table, and the meeting's status and minutes. */
  private async resolve(
    ctx: RequestContext,
    m: EntityManager,
    meetingId: string,
    check: AccessCheck,
  ): Promise<{ access: TableAccess; meeting: { table_id: string; status: MeetingStatus; minutes: MinutesSnapshot | null } }> {
    const access = await this.access.require(ctx, 'meeting', meetingId, check, m);
    const [meeting] = await m.query(`SELECT table_id, status, minutes FROM meeting WHERE id = $1`, [meetingId]);
    return { access, meeting };
  }

  private requireMinutes(meeting: { status: MeetingStatus; minutes: MinutesSnapshot | null }): MinutesSnapshot {
    if (meeting.status !== 'closed' || !meeting.minutes) {
      throw new DomainException(HttpStatus.CONFLICT, MinutesError.NotAvailable, 'Minutes exist once the meeting is closed.', { status: meeting.status });
    }
    return meeting.minutes;
  }

  /** The people of the cases the minutes are about, as recorded now (see MINUTES_FORMAT), by case id. */
  private async people(m: EntityManager, caseIds: string[]): Promise<Map<string, MinutesPerson & { case_erased: boolean }>> {
    if (!caseIds.length) return new Map();
    const rows: (MinutesPerson & { case_erased: boolean })[] = await m.query(
      `SELECT c.id AS case_id, s.id AS subject_id, s.v_number, s.family_name, s.given_names, s.date_of_birth::text AS date_of_birth, s.nationality,
              s.erased_at AS subject_erased_at, s.restricted_at IS NOT NULL AS restricted, c.erased_at IS NOT NULL AS case_erased
         FROM case_file c JOIN subject s ON s.id = c.subject_id WHERE c.id = ANY($1::uuid[])`,
      [caseIds],
    );
    return new Map(rows.map((r) => [r.case_id, r]));
  }
}
