import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../auth/permissions';
import { requireCaseStillOpen } from '../cases/incident.service';
import { Clock } from '../common/clock';
import { CURSOR_UUID, decodeCursor, DEFAULT_PAGE_SIZE, pageOf } from '../common/pagination';
import { DomainException, forbidden, InvalidParam, ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { DomainEventService, DomainEventType } from '../notifications/domain-event.service';
import { AccessService, CaseAccess, TableAccess } from '../sharing/access.service';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { ActionSort, AssignActionDto, CompleteActionDto, isIsoDate, ListActionsQuery, RequestReplanDto } from './action.dto';
import { ActionRow, ActionRepository } from './action.repository';
import { ActionPageView, actionView, ActionView } from './action-view';
import { ActionError } from './actions.errors';
import { Purpose } from '../sharing/purposes';

/** The position after a row: the sort it belongs to, its due date and id (a cursor of the other sort is refused). */
function decodeActionCursor(cursor: string, sort: ActionSort): { dueDate: string; id: string } {
  const [, dueDate, id] = decodeCursor(cursor, [(v) => v === sort, isIsoDate, CURSOR_UUID]) as string[];
  return { dueDate, id };
}

/** Where an action is agreed: an agenda item of a meeting in session, about a case the chair may see. */
export interface AgreedAt {
  access: CaseAccess;
  meetingId: string;
  agendaItemId: string;
}

const subjectOf = (r: ActionRow) => ({ subjectId: r.subject_id, vNumber: r.v_number });

function requireOpen(action: ActionRow): void {
  if (action.status !== 'open') {
    throw new DomainException(HttpStatus.CONFLICT, ActionError.NotOpen, `The action is ${action.status}.`, { actionStatus: action.status });
  }
}

/**
 * Actions between meetings. People see the actions of cases at their tables; a partner system sees only
 * its own organisation's. Only the owner organisation reports on an action: done, or a request to re-plan.
 */
@Injectable()
export class ActionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
    private readonly actions: ActionRepository,
    private readonly clock: Clock,
  ) {}

  async list(ctx: RequestContext, q: ListActionsQuery): Promise<ActionPageView> {
    const startedAt = this.clock.now();
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const sort = q.sort ?? 'dueDate';
    const after = q.cursor === undefined ? undefined : decodeActionCursor(q.cursor, sort);
    const p = ctx.principal;
    const ownerOrganisationId = p.kind === 'client' ? p.organisationId : q.ownerOrganisationId;
    if (p.kind === 'client' && q.ownerOrganisationId && q.ownerOrganisationId !== p.organisationId) return { items: [], nextCursor: null };
    const today = this.clock.today();
    return this.dataSource.transaction(async (m) => {
      let tables: TableAccess[];
      if (q.tableId) {
        const access = await this.access.require(ctx, 'table', q.tableId, { permission: Permission.ActionRead, operation: 'action.list' }, m);
        await this.access.requireCategories(ctx, access, ['deliberation'], 'action.list');
        tables = [access];
      } else {
        tables = (await this.access.accessibleTables(ctx, m)).filter((a) => a.categories.has('deliberation'));
      }
      if (!tables.length) return { items: [], nextCursor: null };
      const rows = await this.actions.findPage(
        m,
        { tableIds: tables.map((a) => a.tableId), statuses: q.status, overdue: q.overdue, ownerOrganisationId, descending: sort === '-dueDate', after },
        limit + 1,
        today,
      );
      const { items: page, nextCursor } = pageOf(rows, limit, (r) => [sort, r.due_date, r.id], (r) => r);
      // Each table's covenant has its own processing activity, so the log is written per table on the page.
      for (const access of tables) {
        const here = page.filter((r) => r.table_id === access.tableId);
        if (!here.length) continue;
        await this.log.record(m, ctx, access, {
          operation: 'action.list',
          activityCategory: 'deliberation',
          categories: ['deliberation'],
          subjects: here.map(subjectOf),
          purpose: Purpose.ActionFollowUp,
          startedAt,
        });
      }
      const byTable = new Map(tables.map((a) => [a.tableId, a.categories]));
      return {
        items: page.map((r) => actionView(r, byTable.get(r.table_id)!, today)),
        nextCursor,
      };
    });
  }

  async get(ctx: RequestContext, id: string): Promise<Partial<ActionView>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'action', id, { permission: Permission.ActionRead, operation: 'action.read' }, m);
      const row = (await this.actions.findById(m, id))!;
      await this.logFor(m, ctx, access, row, 'action.read', Purpose.ActionFollowUp, startedAt);
      return actionView(row, access.categories, this.clock.today());
    });
  }

  async complete(ctx: RequestContext, id: string, dto: CompleteActionDto): Promise<Partial<ActionView>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const row = await this.ownedAction(ctx, m, id, 'action.complete');
      // A completion re-sent because its answer was lost gets that answer again, and changes nothing.
      if (row.action.status === 'done' && row.action.result_note === dto.resultNote) {
        return this.respond(m, ctx, row.access, id, 'action.complete.repeat', Purpose.ActionFollowUp, startedAt);
      }
      requireOpen(row.action);
      await this.actions.complete(m, id, dto.resultNote, this.clock.now());
      await this.events.raise(m, {
        type: DomainEventType.ActionCompleted,
        tableId: row.access.tableId,
        aggregateType: 'action',
        aggregateId: id,
        payload: { actionId: id, caseReference: row.action.case_reference, ownerOrganisationId: row.action.owner_organisation_id },
      });
      return this.respond(m, ctx, row.access, id, 'action.complete', Purpose.ActionFollowUp, startedAt);
    });
  }

  async requestReplan(ctx: RequestContext, id: string, dto: RequestReplanDto): Promise<Partial<ActionView>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const row = await this.ownedOpenAction(ctx, m, id, 'action.replan_request');
      await this.actions.requestReplan(m, id, dto.proposedDueDate, dto.reason, this.clock.now());
      await this.events.raise(m, {
        type: DomainEventType.ActionReplanRequested,
        tableId: row.access.tableId,
        aggregateType: 'action',
        aggregateId: id,
        payload: {
          actionId: id,
          caseReference: row.action.case_reference,
          ownerOrganisationId: row.action.owner_organisation_id,
          proposedDueDate: dto.proposedDueDate,
        },
      });
      return this.respond(m, ctx, row.access, id, 'action.replan_request', Purpose.ActionFollowUp, startedAt);
    });
  }

  /** "Which action by whom", agreed in session; runs in the session's transaction (the meeting row is locked). */
  async assign(m: EntityManager, ctx: RequestContext, at: AgreedAt, dto: AssignActionDto): Promise<Partial<ActionView>> {
    const startedAt = this.clock.now();
    await requireCaseStillOpen(m, at.access);
    const invalid: InvalidParam[] = [];
    if (!(await this.actions.isActiveMemberOrganisation(m, at.access.tableId, dto.ownerOrganisationId))) {
      invalid.push({ name: 'ownerOrganisationId', reason: 'must be an active member organisation of the table' });
    } else if (dto.ownerUserId && !(await this.actions.isOrganisationMember(m, at.access.tableId, dto.ownerOrganisationId, dto.ownerUserId))) {
      invalid.push({ name: 'ownerUserId', reason: 'must be a user of the owner organisation with an active membership of the table' });
    }
    if (invalid.length) throw new ValidationProblem(invalid);
    const id = await this.actions.insert(m, {
      caseId: at.access.caseId,
      meetingId: at.meetingId,
      agendaItemId: at.agendaItemId,
      ownerOrganisationId: dto.ownerOrganisationId,
      ownerUserId: dto.ownerUserId ?? null,
      description: dto.description,
      dueDate: dto.dueDate,
      createdAt: this.clock.now(),
    });
    const row = (await this.actions.findById(m, id))!;
    await this.events.raise(m, {
      type: DomainEventType.ActionAssigned,
      tableId: at.access.tableId,
      aggregateType: 'action',
      aggregateId: id,
      payload: { actionId: id, caseReference: row.case_reference, ownerOrganisationId: row.owner_organisation_id, dueDate: row.due_date },
    });
    await this.logFor(m, ctx, at.access, row, 'action.create', Purpose.DecisionRecording, startedAt);
    return actionView(row, at.access.categories, this.clock.today());
  }

  /**
   * The resolver answers 404 alike for "does not exist", "not a member of its case's table", "deliberation
   * not granted" and, for a partner system, "another organisation's action".
   */
  private async ownedOpenAction(ctx: RequestContext, m: EntityManager, id: string, operation: string): Promise<{ action: ActionRow; access: CaseAccess }> {
    const row = await this.ownedAction(ctx, m, id, operation);
    requireOpen(row.action);
    return row;
  }

  /** The action, locked, when the caller's organisation owns it. */
  private async ownedAction(ctx: RequestContext, m: EntityManager, id: string, operation: string): Promise<{ action: ActionRow; access: CaseAccess }> {
    const access = await this.access.require(ctx, 'action', id, { permission: Permission.ActionWrite, operation }, m);
    const action = await this.actions.lock(m, id);
    if (action!.owner_organisation_id !== ctx.principal.organisationId) {
      await this.access.deny(ctx, operation, access, forbidden(ActionError.NotOwnerOrganisation, 'Only the organisation that owns this action may report on it.'));
    }
    return { action: action!, access };
  }

  private async respond(m: EntityManager, ctx: RequestContext, access: CaseAccess, id: string, operation: string, purpose: Purpose, startedAt: Date) {
    const row = (await this.actions.findById(m, id))!;
    await this.logFor(m, ctx, access, row, operation, purpose, startedAt);
    return actionView(row, access.categories, this.clock.today());
  }

  private async logFor(m: EntityManager, ctx: RequestContext, access: TableAccess, row: ActionRow, operation: string, purpose: Purpose, startedAt: Date) {
    await this.log.record(m, ctx, access, {
      operation,
      activityCategory: 'deliberation',
      categories: ['deliberation'],
      subjects: [subjectOf(row)],
      purpose,
      startedAt,
    });
  }
}
