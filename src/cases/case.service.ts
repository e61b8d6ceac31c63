import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../auth/permissions';
import { Clock } from '../common/clock';
import type { RequestContext } from '../common/request-context';
import { DomainException } from '../common/problem';
import { AccessService, CaseAccess, TableAccess } from '../sharing/access.service';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { subjectRestricted } from '../sharing/restriction';
import { CASE_TRANSITIONS } from './case.entity';
import { CreateCaseDto, StatusChangeDto, UpdateCaseDto } from './case.dto';
import { caseDetailProjection, CaseDetailRow, CaseRepository } from './case.repository';
import {
  actorUserId,
  CASE_FIELDS,
  categoriesWritten,
  invalidField,
  mapOpenCaseViolation,
  openCaseExists,
  pick,
  requireStillAt,
  SUBJECT_FIELDS,
  union,
} from './case-support';
import { CaseDetailView, detailCategories, detailView } from './case-view';
import { CommonError } from '../common/problem';
import { Purpose } from '../sharing/purposes';
import type { AuditDetail } from '../sharing/processing-log.service';

interface LoggedOperation {
  operation: string;
  purpose: Purpose;
  startedAt: Date;
  written?: ReturnType<typeof categoriesWritten>;
  detail?: AuditDetail;
}

/** Opening, reading, editing and moving a case through its statuses. */
@Injectable()
export class CaseService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly cases: CaseRepository,
    private readonly clock: Clock,
  ) {}

  async create(ctx: RequestContext, tableId: string, dto: CreateCaseDto): Promise<Partial<CaseDetailView>> {
    const startedAt = this.clock.now();
    return this.dataSource
      .transaction(async (m) => {
        const access = await this.access.require(ctx, 'table', tableId, { permission: Permission.CaseWrite, operation: 'case.create' }, m);
        // The V-number is identity data and the case itself is the table's deliberation.
        const written = union(['identity', 'deliberation'], categoriesWritten(pick(dto, [...SUBJECT_FIELDS, ...CASE_FIELDS, 'strategy'])));
        await this.access.requireCategories(ctx, access, written, 'case.create');
        await this.checkCoordinator(m, tableId, dto.coordinatorOrganisationId, dto.coordinatorUserId);

        const { prefix } = await this.cases.lockTable(m, tableId);
        const subjectFields = pick(dto, SUBJECT_FIELDS);
        const subject = await this.cases.findOrCreateSubject(m, dto.vNumber, subjectFields);
        // A restricted person's data is only stored: no case is opened for them, and their data is not changed.
        if (subject.restricted) await this.access.deny(ctx, 'case.create', access, subjectRestricted());
        const existing = await this.cases.findOpenCase(m, tableId, subject.id);
        if (existing) throw openCaseExists('This person already has an open case at this table.', { caseId: existing });
        if (!subject.created) await this.cases.updateSubject(m, subject.id, subjectFields);

        const reference = await this.cases.nextReference(m, tableId, prefix, startedAt);
        const caseId = await this.cases.insertCase(m, { tableId, subjectId: subject.id, reference, ...pick(dto, CASE_FIELDS) });
        await this.cases.insertStatusChange(m, caseId, null, 'intake', null, actorUserId(ctx));
        if (dto.strategy) await this.cases.insertStrategy(m, caseId, dto.strategy.kind, dto.strategy.text, actorUserId(ctx));

        const row = (await this.cases.findDetail(m, caseId, this.clock.today()))!;
        await this.log.record(m, ctx, access, {
          operation: 'case.create',
          activityCategory: 'identity',
          categories: union(written, detailCategories(row, access.categories)),
          subjects: [{ subjectId: subject.id, vNumber: dto.vNumber }],
          purpose: Purpose.CaseIntake,
          startedAt,
        });
        return detailView(row, access.categories);
      })
      .catch((e) => {
        throw mapOpenCaseViolation(e);
      });
  }

  /**
   * Three round trips at most, none of them BEGIN or COMMIT: the access decision and the whole case in one
   * prepared statement, then both log entries in one (prepared) INSERT, committed before the response is
   * sent. The read needs no transaction: it is one statement, and the log entry is written after it.
   */
  async get(ctx: RequestContext, caseId: string): Promise<Partial<CaseDetailView>> {
    const startedAt = this.clock.now();
    const m = this.dataSource.manager;
    const { access, row } = await this.access.requireWith<'case', CaseDetailRow>(
      ctx,
      'case',
      caseId,
      { permission: Permission.CaseRead, operation: 'case.read' },
      caseDetailProjection(this.clock.today()),
      m,
    );
    return this.logAndDisclose(m, ctx, access, row, { operation: 'case.read', purpose: Purpose.CaseDiscussion, startedAt });
  }

  async update(ctx: RequestContext, caseId: string, dto: UpdateCaseDto): Promise<Partial<CaseDetailView>> {
    const startedAt = this.clock.now();
    const subjectFields = pick(dto, SUBJECT_FIELDS);
    const caseFields = pick(dto, CASE_FIELDS);
    const written = categoriesWritten({ ...subjectFields, ...caseFields });
    if (!written.length) throw invalidField('body', 'names no field to change');
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'case', caseId, { permission: Permission.CaseWrite, operation: 'case.update' }, m);
      await this.access.requireCategories(ctx, access, written, 'case.update');
      requireStillAt(access, await this.cases.lockCase(m, caseId));
      await this.checkCoordinator(m, access.tableId, dto.coordinatorOrganisationId, dto.coordinatorUserId);
      await this.cases.updateSubject(m, access.subjectId, subjectFields);
      await this.cases.updateCase(m, caseId, caseFields);
      // A rectification on a data-subject request says so: its purpose, and the request's reference in the entry's detail.
      const purpose = dto.requestReference ? Purpose.DataSubjectRequest : Purpose.CaseRegistration;
      const detail = dto.requestReference ? { requestReference: dto.requestReference } : undefined;
      return this.respond(m, ctx, access, { operation: 'case.update', purpose, startedAt, written, detail });
    });
  }

  async changeStatus(ctx: RequestContext, caseId: string, dto: StatusChangeDto): Promise<Partial<CaseDetailView>> {
    const startedAt = this.clock.now();
    return this.dataSource
      .transaction(async (m) => {
        const access = await this.access.require(ctx, 'case', caseId, { permission: Permission.CaseWrite, operation: 'case.status_change' }, m);
        await this.access.requireCategories(ctx, access, ['deliberation'], 'case.status_change');
        const current = await this.cases.lockCase(m, caseId);
        requireStillAt(access, current);
        const from = current.status;
        if (!CASE_TRANSITIONS[from].includes(dto.status)) {
          throw new DomainException(HttpStatus.CONFLICT, CommonError.IllegalTransition, `A case cannot go from ${from} to ${dto.status}.`, {
            fromStatus: from,
            toStatus: dto.status,
            allowed: CASE_TRANSITIONS[from],
          });
        }
        if (from === 'closed' && (await this.cases.findOpenCase(m, access.tableId, access.subjectId))) {
          throw openCaseExists('The person has another open case at this table; it cannot be reopened.');
        }
        await this.cases.setStatus(m, caseId, dto.status, startedAt);
        await this.cases.insertStatusChange(m, caseId, from, dto.status, dto.reason ?? null, actorUserId(ctx));
        return this.respond(m, ctx, access, { operation: 'case.status_change', purpose: Purpose.CaseRegistration, startedAt, written: ['deliberation'] });
      })
      .catch((e) => {
        throw mapOpenCaseViolation(e);
      });
  }

  /** Loads the detail, logs the operation (with what it wrote and what it showed) and discloses it. */
  private async respond(m: EntityManager, ctx: RequestContext, access: CaseAccess, op: LoggedOperation): Promise<Partial<CaseDetailView>> {
    const row = await this.cases.findDetail(m, access.caseId, this.clock.today());
    requireStillAt(access, row);
    return this.logAndDisclose(m, ctx, access, row!, op);
  }

  private async logAndDisclose(m: EntityManager, ctx: RequestContext, access: CaseAccess, row: CaseDetailRow, op: LoggedOperation): Promise<Partial<CaseDetailView>> {
    await this.log.record(m, ctx, access, {
      operation: op.operation,
      activityCategory: op.written?.[0] ?? 'deliberation',
      categories: union(op.written ?? [], detailCategories(row, access.categories)),
      subjects: [{ subjectId: access.subjectId, vNumber: access.vNumber }],
      purpose: op.purpose,
      startedAt: op.startedAt,
      detail: op.detail,
    });
    return detailView(row, access.categories);
  }

  /** A coordinator must sit at the table: a member organisation, or a user with a membership. */
  private async checkCoordinator(m: EntityManager, tableId: TableAccess['tableId'], organisationId?: string | null, userId?: string | null): Promise<void> {
    if (organisationId && !(await this.cases.isMemberOrganisation(m, tableId, organisationId))) {
      throw invalidField('coordinatorOrganisationId', 'is not a member organisation of this table');
    }
    if (userId && !(await this.cases.isTableMember(m, tableId, userId))) {
      throw invalidField('coordinatorUserId', 'has no membership of this table');
    }
  }
}
