import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../../auth/permissions';
import { requireCaseStillOpen } from '../../cases/incident.service';
import { Clock } from '../../common/clock';
import { conflict, DomainException } from '../../common/problem';
import type { RequestContext } from '../../common/request-context';
import { DomainEventService, DomainEventType } from '../../notifications/domain-event.service';
import { AccessCheck, AccessService, TableAccess } from '../../sharing/access.service';
import { disclose } from '../../sharing/disclosure';
import { ProcessingLogService } from '../../sharing/processing-log.service';
import { subjectNotRestricted } from '../../sharing/restriction';
import { AgendaRepository } from './agenda.repository';
import { requireMeetingStatus } from '../meeting-status';
import { MeetingRepository } from '../meeting.repository';
import { Keyset, SortField } from '../../common/list-query';
import { DEFAULT_PAGE_SIZE, Page, pageOf, PageQueryDto } from '../../common/pagination';
import { CreateNominationDto, NominationView } from './nomination.dto';
import { AgendaError } from './agenda.errors';
import { Purpose } from '../../sharing/purposes';

interface NominationRow {
  id: string;
  table_id: string;
  meeting_id: string;
  case_id: string | null;
  case_reference: string | null;
  subject_id: string | null;
  v_number: string | null;
  topic: string | null;
  reason_code: string;
  reason_text: string | null;
  source: 'member' | 'list';
  organisation_id: string;
  created_at: Date;
}

const PURPOSE = Purpose.CaseIntake;

/** Nominating at a table: the case and the meeting named must be of that table too. */
type CreateCheck = AccessCheck & { within: { tableId: string } };

export const noPlannedMeeting = () =>
  new DomainException(HttpStatus.CONFLICT, AgendaError.NoPlannedMeeting, 'This table has no planned meeting to come; ask the chair to plan one.');

const NOMINATION_ORDER: Record<string, SortField> = { createdAt: { column: 'n.created_at', kind: 'timestamp' } };

const SELECT = `
  SELECT n.id, n.table_id, n.meeting_id, n.case_id, c.reference AS case_reference, c.subject_id, s.v_number, n.topic,
         n.reason_code, n.reason_text, n.source, n.organisation_id, n.created_at
    FROM nomination n LEFT JOIN case_file c ON c.id = n.case_id LEFT JOIN subject s ON s.id = c.subject_id`;

const toView = (r: NominationRow, access: TableAccess) =>
  disclose(
    NominationView,
    {
      id: r.id,
      tableId: r.table_id,
      meetingId: r.meeting_id,
      caseId: r.case_id,
      caseReference: r.case_reference,
      topic: r.topic,
      reasonCode: r.reason_code,
      reasonText: r.reason_text,
      source: r.source,
      organisationId: r.organisation_id,
      createdAt: new Date(r.created_at).toISOString(),
    },
    access.categories,
  );

/** Members put a case or a topic on the next agenda. */
@Injectable()
export class NominationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
    private readonly agenda: AgendaRepository,
    private readonly meetings: MeetingRepository,
    private readonly clock: Clock,
  ) {}

  async create(ctx: RequestContext, tableId: string, dto: CreateNominationDto): Promise<Partial<NominationView>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const check: CreateCheck = { permission: Permission.NominationCreate, operation: 'nomination.create', within: { tableId } };
      const access = await this.access.require(ctx, 'table', tableId, check, m);
      const caseAccess = dto.caseId === undefined ? undefined : await this.access.require(ctx, 'case', dto.caseId, check, m);
      await this.access.requireCategories(ctx, access, ['deliberation'], 'nomination.create');
      if (caseAccess) await requireCaseStillOpen(m, caseAccess);
      const meetingId = await this.targetMeeting(ctx, m, check, dto.meetingId);
      const p = ctx.principal;
      const [created] = await m.query(
        `INSERT INTO nomination (table_id, meeting_id, case_id, topic, reason_code, reason_text, source, organisation_id, user_id)
         VALUES ($1, $2, $3, $4, $5, $6, 'member', $7, $8)
         ON CONFLICT (meeting_id, case_id, source) WHERE case_id IS NOT NULL DO NOTHING RETURNING id`,
        [tableId, meetingId, dto.caseId ?? null, dto.topic ?? null, dto.reasonCode, dto.reasonText ?? null, p.organisationId, p.kind === 'user' ? p.id : null],
      );
      if (!created) throw conflict(AgendaError.AlreadyNominated, 'A member nominated this case for this meeting already.');
      const [row]: NominationRow[] = await m.query(`${SELECT} WHERE n.id = $1`, [created.id]);
      if (caseAccess) {
        await this.log.record(m, ctx, access, {
          operation: 'nomination.create',
          activityCategory: 'deliberation',
          categories: ['deliberation'],
          subjects: [caseAccess],
          purpose: PURPOSE,
          startedAt,
        });
      }
      await this.events.raise(m, {
        type: DomainEventType.NominationCreated,
        tableId,
        aggregateType: 'nomination',
        aggregateId: row.id,
        payload: { meetingId, caseId: row.case_id, caseReference: row.case_reference },
      });
      return toView(row, access);
    });
  }

  /** Oldest first, a keyset page over (created_at, id); the processing log names the people of this page only. */
  async list(ctx: RequestContext, meetingId: string, q: PageQueryDto = {}): Promise<Page<Partial<NominationView>>> {
    const startedAt = this.clock.now();
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const keyset = new Keyset(NOMINATION_ORDER, 'createdAt', 'n.id');
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'meeting', meetingId, { permission: Permission.MeetingRead, operation: 'nomination.list' }, m);
      const params: unknown[] = [meetingId];
      const after = keyset.after(q.cursor, params);
      // A restricted person's nominations are stored, not listed.
      const rows: (NominationRow & { sort_key: string })[] = await m.query(
        `${SELECT.replace('n.created_at', `n.created_at, ${keyset.keySql} AS sort_key`)}
          WHERE n.meeting_id = $1 AND (s.id IS NULL OR ${subjectNotRestricted('s')})${after ? ` AND ${after}` : ''}
          ORDER BY ${keyset.orderBy} LIMIT $${params.push(limit + 1)}`,
        params,
      );
      const shown = rows.slice(0, limit);
      const subjects = shown.flatMap((r) => (r.subject_id ? [{ subjectId: r.subject_id, vNumber: r.v_number! }] : []));
      await this.log.record(m, ctx, access, {
        operation: 'nomination.list',
        activityCategory: 'deliberation',
        categories: access.categories.has('deliberation') ? ['deliberation'] : [],
        subjects,
        purpose: Purpose.CasePreparation,
        startedAt,
      });
      return pageOf(rows, limit, keyset.positionOf, (r) => toView(r, access));
    });
  }

  /** The meeting named (a planned one of this table), or the table's next planned meeting. */
  private async targetMeeting(ctx: RequestContext, m: EntityManager, check: CreateCheck, meetingId: string | undefined): Promise<string> {
    if (meetingId === undefined) {
      const next = await this.meetings.findNextPlanned(m, check.within.tableId, this.clock.now());
      if (!next) throw noPlannedMeeting();
      return next.id;
    }
    await this.access.require(ctx, 'meeting', meetingId, check, m);
    const meeting = (await this.meetings.lock(m, meetingId))!;
    requireMeetingStatus(meeting, ['planned'], 'nominate for');
    return meeting.id;
  }
}
