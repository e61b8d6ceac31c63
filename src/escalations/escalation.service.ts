import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AgreedAt } from '../actions/action.service';
import { Permission } from '../auth/permissions';
import { requireCaseStillOpen } from '../cases/incident.service';
import type { RequestContext } from '../common/request-context';
import { DomainEventService, DomainEventType } from '../notifications/domain-event.service';
import { AccessService } from '../sharing/access.service';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { ProposeEscalationDto } from './escalation.dto';
import { ESCALATION_TRACKS } from './escalation.entity';
import { EscalationRow, escalationView, EscalationView } from './escalation-view';

const COLUMNS = `id, case_id, track, target_organisation_type, requested_by_organisation_id, status, meeting_id, agenda_item_id,
                 reason, response_due_date::text AS response_due_date, outcome, created_at`;

/**
 * Escalations (opschaling, DOMAIN.md section 6). The table proposes in session; requesting, answering
 * and the response deadline follow between meetings.
 */
@Injectable()
export class EscalationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
  ) {}

  /** Runs in the session's transaction, with the meeting row locked. The chair's organisation asks. */
  async propose(m: EntityManager, ctx: RequestContext, at: AgreedAt, dto: ProposeEscalationDto): Promise<Partial<EscalationView>> {
    const startedAt = new Date();
    await requireCaseStillOpen(m, at.access);
    const target = ESCALATION_TRACKS[dto.track];
    const [row]: EscalationRow[] = await m.query(
      `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, status, meeting_id, agenda_item_id, reason)
       VALUES ($1, $2, $3, $4, 'proposed', $5, $6, $7) RETURNING ${COLUMNS}`,
      [at.access.caseId, dto.track, target, ctx.principal.organisationId, at.meetingId, at.agendaItemId, dto.reason],
    );
    const [{ reference }] = await m.query(`SELECT reference FROM case_file WHERE id = $1`, [at.access.caseId]);
    await this.events.raise(m, {
      type: DomainEventType.EscalationProposed,
      tableId: at.access.tableId,
      aggregateType: 'escalation',
      aggregateId: row.id,
      payload: { escalationId: row.id, caseReference: reference, track: dto.track, targetOrganisationType: target },
    });
    await this.log.record(m, ctx, at.access, {
      operation: 'escalation.propose',
      activityCategory: 'deliberation',
      categories: ['deliberation'],
      subjects: [{ subjectId: at.access.subjectId, vNumber: at.access.vNumber }],
      purpose: 'Propose an escalation agreed at the case conference',
      startedAt,
    });
    return escalationView(row, at.access.categories);
  }

  /** Newest first. Without `deliberation` nothing is fetched: even the existence of an escalation is deliberation. */
  async listForCase(ctx: RequestContext, caseId: string): Promise<Partial<EscalationView>[]> {
    const startedAt = new Date();
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'case', caseId, { permission: Permission.CaseRead, operation: 'escalation.list' }, m);
      const granted = access.categories.has('deliberation');
      const rows: EscalationRow[] = granted
        ? await m.query(`SELECT ${COLUMNS} FROM escalation WHERE case_id = $1 ORDER BY created_at DESC, id`, [caseId])
        : [];
      await this.log.record(m, ctx, access, {
        operation: 'escalation.list',
        activityCategory: 'deliberation',
        categories: granted ? ['deliberation'] : [],
        subjects: [{ subjectId: access.subjectId, vNumber: access.vNumber }],
        purpose: 'Review the escalations of the case',
        startedAt,
      });
      return rows.map((r) => escalationView(r, access.categories));
    });
  }

  async findProposedAt(m: EntityManager, meetingId: string): Promise<EscalationRow[]> {
    return m.query(`SELECT ${COLUMNS} FROM escalation WHERE meeting_id = $1 ORDER BY created_at, id`, [meetingId]);
  }
}
