import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AgreedAt } from '../actions/action.service';
import { Permission } from '../auth/permissions';
import { requireCaseStillOpen } from '../cases/incident.service';
import { Clock } from '../common/clock';
import { CURSOR_UUID, decodeCursor, DEFAULT_PAGE_SIZE, Page, PageQueryDto, pageOf, pageOfBounded } from '../common/pagination';
import { notFound } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { DomainEventService, DomainEventType } from '../notifications/domain-event.service';
import { AccessService, TableAccess } from '../sharing/access.service';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { ListEscalationsQuery, ProposeEscalationDto } from './escalation.dto';
import { ESCALATION_TRACKS } from './escalation.entity';
import { EscalationRepository } from './escalation.repository';
import { escalationCategories, EscalationPageView, EscalationRow, escalationView, EscalationView } from './escalation-view';
import { Purpose } from '../sharing/purposes';

const DUE_KEY = /^(\d{4}-\d{2}-\d{2}|infinity)$/;

function decodeTargetCursor(cursor: string): { dueKey: string; id: string } {
  const [dueKey, id] = decodeCursor(cursor, [DUE_KEY, CURSOR_UUID]) as string[];
  return { dueKey, id };
}

const subjectOf = (a: { subjectId: string; vNumber: string }) => ({ subjectId: a.subjectId, vNumber: a.vNumber });

/**
 * Escalations (opschaling, DOMAIN.md section 6): proposed in session or by a rule, read per case, one at a
 * time with its history, and per target organisation ("what awaits my organisation"). Status changes are
 * EscalationTransitionService's.
 */
@Injectable()
export class EscalationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
    private readonly escalations: EscalationRepository,
    private readonly clock: Clock,
  ) {}

  /** Runs in the session's transaction, with the meeting row locked. The chair's organisation asks. */
  async propose(m: EntityManager, ctx: RequestContext, at: AgreedAt, dto: ProposeEscalationDto): Promise<Partial<EscalationView>> {
    const startedAt = this.clock.now();
    await requireCaseStillOpen(m, at.access);
    const target = ESCALATION_TRACKS[dto.track];
    const organisationId = ctx.principal.organisationId;
    const id = await this.escalations.insertProposal(m, {
      caseId: at.access.caseId,
      track: dto.track,
      target,
      organisationId,
      meetingId: at.meetingId,
      agendaItemId: at.agendaItemId,
      reason: dto.reason,
      at: startedAt,
    });
    await this.escalations.insertEvent(m, {
      escalationId: id,
      from: null,
      to: 'proposed',
      reason: dto.reason,
      actorKind: ctx.principal.kind,
      actorOrganisationId: organisationId,
      at: startedAt,
    });
    const row = (await this.escalations.findById(m, id))!;
    await this.events.raise(m, {
      type: DomainEventType.EscalationProposed,
      tableId: at.access.tableId,
      aggregateType: 'escalation',
      aggregateId: row.id,
      payload: { escalationId: row.id, caseReference: row.case_reference, track: dto.track, targetOrganisationType: target, proposedBy: 'table' },
    });
    await this.log.record(m, ctx, at.access, {
      operation: 'escalation.propose',
      activityCategory: 'deliberation',
      categories: ['deliberation'],
      subjects: [subjectOf(at.access)],
      purpose: Purpose.Escalation,
      startedAt,
    });
    return escalationView(row, at.access.categories);
  }

  /** Newest first. Without `deliberation` nothing is fetched: even the existence of an escalation is deliberation. */
  /** A handful of escalations per case, by design: paged in memory (pageOfBounded), after one read of them all. */
  async listForCase(ctx: RequestContext, caseId: string, q: PageQueryDto): Promise<Page<Partial<EscalationView>>> {
    const startedAt = this.clock.now();
    // No transaction: one read, then its log entries in one INSERT before the answer.
    const m = this.dataSource.manager;
    const access = await this.access.require(ctx, 'case', caseId, { permission: Permission.CaseRead, operation: 'escalation.list' }, m);
    const granted = access.categories.has('deliberation');
    const rows = pageOfBounded(granted ? await this.escalations.findForCase(m, caseId) : [], q, (r) => r.id);
    await this.log.record(m, ctx, access, {
      operation: 'escalation.list',
      activityCategory: 'deliberation',
      categories: escalationCategories(rows.items, access.categories),
      subjects: [subjectOf(access)],
      purpose: Purpose.Escalation,
      startedAt,
    });
    return { items: rows.items.map((r) => escalationView(r, access.categories)), nextCursor: rows.nextCursor };
  }

  /**
   * One escalation with its history. A partner system sees only those addressed to its organisation's type:
   * it reads escalations to answer them.
   */
  async get(ctx: RequestContext, id: string): Promise<Partial<EscalationView>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'escalation', id, { permission: Permission.EscalationRead, operation: 'escalation.read' }, m);
      const row = (await this.escalations.findById(m, id))!;
      if (ctx.principal.kind === 'client' && row.target_organisation_type !== ctx.principal.organisationType) {
        await this.access.deny(ctx, 'escalation.read', access, notFound('Escalation'));
      }
      await this.log.record(m, ctx, access, {
        operation: 'escalation.read',
        activityCategory: 'deliberation',
        categories: escalationCategories([row], access.categories),
        subjects: [subjectOf(access)],
        purpose: Purpose.Escalation,
        startedAt,
      });
      return escalationView(row, access.categories, await this.escalations.findHistory(m, id));
    });
  }

  /**
   * What awaits the caller's organisation: escalations addressed to its type, at the tables it sits at whose
   * covenant grants it `deliberation`; by default those requested or accepted (an answer or completion is due).
   */
  async listForTarget(ctx: RequestContext, q: ListEscalationsQuery): Promise<EscalationPageView> {
    const startedAt = this.clock.now();
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const after = q.cursor === undefined ? undefined : decodeTargetCursor(q.cursor);
    // No transaction around the reads (each is one statement, READ COMMITTED gives each its own snapshot): each
    // table's log entries are one INSERT written before the page is answered.
    const m = this.dataSource.manager;
    let tables: TableAccess[];
    if (q.tableId) {
      const access = await this.access.require(ctx, 'table', q.tableId, { permission: Permission.EscalationRead, operation: 'escalation.list_for_target' }, m);
      await this.access.requireCategories(ctx, access, ['deliberation'], 'escalation.list_for_target');
      tables = [access];
    } else {
      tables = (await this.access.accessibleTables(ctx, m)).filter((a) => a.categories.has('deliberation'));
    }
    if (!tables.length) return { items: [], nextCursor: null };
    const rows = await this.escalations.findForTarget(
      m,
      { tableIds: tables.map((a) => a.tableId), organisationType: ctx.principal.organisationType, statuses: q.status ?? ['requested', 'accepted'], after },
      limit + 1,
    );
    const page = pageOf(rows, limit, (r) => [r.due_key, r.id], (r) => r);
    await this.logPerTable(m, ctx, tables, page.items, startedAt);
    const byTable = new Map(tables.map((a) => [a.tableId, a.categories]));
    return { items: page.items.map((r) => escalationView(r, byTable.get(r.table_id)!)), nextCursor: page.nextCursor };
  }

  async findProposedAt(m: EntityManager, meetingId: string): Promise<EscalationRow[]> {
    return this.escalations.findProposedAt(m, meetingId);
  }

  /** Each table's covenant has its own processing activity, so the log is written per table on the page. */
  private async logPerTable(m: EntityManager, ctx: RequestContext, tables: TableAccess[], page: EscalationRow[], startedAt: Date): Promise<void> {
    if (!page.length) return;
    const subjects: { case_id: string; subject_id: string; v_number: string; table_id: string }[] = await m.query(
      `SELECT c.id AS case_id, c.subject_id, s.v_number, c.table_id FROM case_file c JOIN subject s ON s.id = c.subject_id WHERE c.id = ANY($1::uuid[])`,
      [[...new Set(page.map((r) => r.case_id))]],
    );
    for (const access of tables) {
      const here = subjects.filter((s) => s.table_id === access.tableId);
      if (!here.length) continue;
      await this.log.record(m, ctx, access, {
        operation: 'escalation.list_for_target',
        activityCategory: 'deliberation',
        categories: escalationCategories(page.filter((r) => r.table_id === access.tableId), access.categories),
        subjects: here.map((s) => ({ subjectId: s.subject_id, vNumber: s.v_number })),
        purpose: Purpose.Escalation,
        startedAt,
      });
    }
  }
}
