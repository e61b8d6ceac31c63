import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../auth/permissions';
import { CaseRepository } from '../cases/case.repository';
import { Clock } from '../common/clock';
import type { RequestContext } from '../common/request-context';
import { AccessService, TableAccess } from '../sharing/access.service';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { WorklistRepository, WorklistReasonRow } from './worklist.repository';
import { reasonViews, WORKLIST_REASON_CODES, WorklistItemView, worklistCategories, worklistItemView, WorklistView } from './worklist-view';
import { Purpose } from '../sharing/purposes';

const OPERATION = 'worklist.read';

/**
 * The chair's worklist (DOMAIN.md section 8): what needs attention at the tables the caller chairs, now.
 * Each case is the one case summary, disclosed under its table's covenant, with only the reasons of granted
 * categories; a case without one is not listed. Read like any list of cases: one processing-log entry
 * per subject listed, committed before the answer. No transaction around the reads (each is one statement
 * and READ COMMITTED gives each its own snapshot anyway): each table's log entries are one INSERT, written
 * before its items are added, so a failure later can leave entries of a table whose items were not sent,
 * never the other way round.
 */
@Injectable()
export class WorklistService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly cases: CaseRepository,
    private readonly worklist: WorklistRepository,
    private readonly clock: Clock,
  ) {}

  /** One table; only its chair (403 `chair_only` for its other members, 404 for anyone else). */
  async forTable(ctx: RequestContext, tableId: string): Promise<WorklistView> {
    const startedAt = this.clock.now();
    const m = this.dataSource.manager;
    const access = await this.access.require(ctx, 'table', tableId, { permission: Permission.WorklistRead, operation: OPERATION }, m);
    return { items: await this.itemsAt(m, ctx, access, startedAt) };
  }

  /** Every table the caller chairs now, one table after another, most pressing first within each. */
  async forChair(ctx: RequestContext): Promise<WorklistView> {
    const startedAt = this.clock.now();
    const m = this.dataSource.manager;
    const chaired = (await this.access.accessibleTables(ctx, m)).filter((a) => a.role === 'chair');
    const items: Partial<WorklistItemView>[] = [];
    for (const access of chaired.sort((a, b) => a.tableId.localeCompare(b.tableId))) items.push(...(await this.itemsAt(m, ctx, access, startedAt)));
    return { items };
  }

  private async itemsAt(m: EntityManager, ctx: RequestContext, access: TableAccess, startedAt: Date): Promise<Partial<WorklistItemView>[]> {
    const rows = await this.worklist.findReasons(m, access.tableId, this.clock.today());
    const byCase = new Map<string, WorklistReasonRow[]>();
    for (const r of rows) byCase.set(r.case_id, [...(byCase.get(r.case_id) ?? []), r]);
    const listed = [...byCase].map(([caseId, reasons]) => ({ caseId, reasons: reasonViews(reasons, access.categories) })).filter((x) => x.reasons.length);
    const summaries = new Map((await this.cases.findSummaries(m, access.tableId, listed.map((x) => x.caseId), this.clock.today())).map((s) => [s.id, s]));
    const ordered = listed
      .filter((x) => summaries.has(x.caseId))
      .sort((a, b) => rank(a.reasons) - rank(b.reasons) || earliest(a.reasons).localeCompare(earliest(b.reasons)) || summaries.get(a.caseId)!.reference.localeCompare(summaries.get(b.caseId)!.reference));
    await this.log.record(m, ctx, access, {
      operation: OPERATION,
      activityCategory: 'deliberation',
      categories: worklistCategories(ordered.flatMap((x) => x.reasons), access.categories),
      subjects: ordered.map((x) => ({ subjectId: summaries.get(x.caseId)!.subject_id, vNumber: summaries.get(x.caseId)!.v_number })),
      purpose: Purpose.CasePreparation,
      startedAt,
    });
    return ordered.map((x) => worklistItemView(access.tableId, summaries.get(x.caseId)!, x.reasons, access.categories));
  }
}

const rank = (reasons: { code?: string }[]) => (WORKLIST_REASON_CODES as readonly string[]).indexOf(reasons[0]?.code ?? '');
/** The earliest date among the reasons ('~' sorts after every date: undated last). */
const earliest = (reasons: { dueDate?: string | null }[]) => reasons.map((r) => r.dueDate ?? '~').sort()[0] ?? '~';
