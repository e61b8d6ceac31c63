import { Page, PageQueryDto, pageOfBounded } from '../common/pagination';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Permission } from '../auth/permissions';
import { Clock } from '../common/clock';
import type { RequestContext } from '../common/request-context';
import { notFound } from '../common/problem';
import { AccessService } from '../sharing/access.service';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { DEADLINE_CATEGORY } from './case-deadline.entity';
import { CreateDeadlineDto, StrategyInputDto } from './case.dto';
import { CaseRepository } from './case.repository';
import { actorUserId, requireStillAt } from './case-support';
import { deadlineView, DeadlineView, strategyView, StrategyView } from './case-view';
import { Purpose } from '../sharing/purposes';

/** The plan of a case: strategy revisions and external deadlines. */
@Injectable()
export class CasePlanService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly cases: CaseRepository,
    private readonly clock: Clock,
  ) {}

  async addStrategy(ctx: RequestContext, caseId: string, dto: StrategyInputDto): Promise<Partial<StrategyView>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'case', caseId, { permission: Permission.CaseWrite, operation: 'case.strategy.create' }, m);
      await this.access.requireCategories(ctx, access, ['deliberation'], 'case.strategy.create');
      // The case row lock makes max(revision) + 1 safe against a concurrent revision.
      requireStillAt(access, await this.cases.lockCase(m, caseId));
      const row = await this.cases.insertStrategy(m, caseId, dto.kind, dto.text, actorUserId(ctx));
      await this.log.record(m, ctx, access, {
        operation: 'case.strategy.create',
        activityCategory: 'deliberation',
        categories: ['deliberation'],
        subjects: [{ subjectId: access.subjectId, vNumber: access.vNumber }],
        purpose: Purpose.CaseRegistration,
        startedAt,
      });
      return strategyView(row, access.categories);
    });
  }

  /** A handful of revisions per case, by design: paged in memory (pageOfBounded), after one read of them all. */
  async listStrategies(ctx: RequestContext, caseId: string, q: PageQueryDto): Promise<Page<Partial<StrategyView>>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'case', caseId, { permission: Permission.CaseRead, operation: 'case.strategy.read' }, m);
      const rows = pageOfBounded(await this.cases.findStrategies(m, caseId), q, (r) => r.id);
      await this.log.record(m, ctx, access, {
        operation: 'case.strategy.read',
        activityCategory: 'deliberation',
        categories: access.categories.has('deliberation') ? ['deliberation'] : [],
        subjects: [{ subjectId: access.subjectId, vNumber: access.vNumber }],
        purpose: Purpose.CaseDiscussion,
        startedAt,
      });
      return { items: rows.items.map((r) => strategyView(r, access.categories)), nextCursor: rows.nextCursor };
    });
  }

  async addDeadline(ctx: RequestContext, caseId: string, dto: CreateDeadlineDto): Promise<Partial<DeadlineView>> {
    const startedAt = this.clock.now();
    const category = DEADLINE_CATEGORY[dto.kind];
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'case', caseId, { permission: Permission.CaseWrite, operation: 'case.deadline.create' }, m);
      await this.access.requireCategories(ctx, access, [category], 'case.deadline.create');
      const row = await this.cases.insertDeadline(m, caseId, dto);
      await this.log.record(m, ctx, access, {
        operation: 'case.deadline.create',
        activityCategory: category,
        categories: [category],
        subjects: [{ subjectId: access.subjectId, vNumber: access.vNumber }],
        purpose: Purpose.CaseRegistration,
        startedAt,
      });
      return deadlineView(row, access.categories);
    });
  }

  async removeDeadline(ctx: RequestContext, caseId: string, deadlineId: string): Promise<void> {
    const startedAt = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      // A deadline of another case, or of a category the caller is not granted, is answered like a missing one.
      const check = { permission: Permission.CaseWrite, operation: 'case.deadline.delete', within: { caseId } };
      const access = await this.access.require(ctx, 'deadline', deadlineId, check, m);
      const deadline = await this.cases.findDeadline(m, caseId, deadlineId);
      // Deleted by someone else since the access check.
      if (!deadline) throw notFound('Deadline');
      await this.cases.deleteDeadline(m, deadlineId);
      const category = DEADLINE_CATEGORY[deadline.kind];
      await this.log.record(m, ctx, access, {
        operation: 'case.deadline.delete',
        activityCategory: category,
        categories: [category],
        subjects: [{ subjectId: access.subjectId, vNumber: access.vNumber }],
        purpose: Purpose.CaseRegistration,
        startedAt,
      });
    });
  }
}
