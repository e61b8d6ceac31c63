import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../auth/permissions';
import { CaseRepository } from '../cases/case.repository';
import { Clock } from '../common/clock';
import { CURSOR_UUID, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, invalidCursor, PageQueryDto } from '../common/pagination';
import type { RequestContext } from '../common/request-context';
import { AccessService, TableAccess } from '../sharing/access.service';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { WorklistRepository, WorklistReasonRow } from './worklist.repository';
import { reasonViews, WORKLIST_REASON_CODES, WorklistItemView, worklistCategories, worklistItemView, WorklistPage, WorklistReasonView } from './worklist-view';
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
  async forTable(ctx: RequestContext, tableId: string, q: PageQueryDto): Promise<WorklistPage> {
    const startedAt = this.clock.now();
    const m = this.dataSource.manager;
    const access = await this.access.require(ctx, 'table', tableId, { permission: Permission.WorklistRead, operation: OPERATION }, m);
    return this.page(m, ctx, [access], q, startedAt);
  }

  /** Every table the caller chairs now, one table after another, most pressing first within each. */
  async forChair(ctx: RequestContext, q: PageQueryDto): Promise<WorklistPage> {
    const startedAt = this.clock.now();
    const m = this.dataSource.manager;
    const chaired = (await this.access.accessibleTables(ctx, m)).filter((a) => a.role === 'chair');
    return this.page(m, ctx, chaired, q, startedAt);
  }

  /**
   * A page: the tables in id order, within each the cases most pressing first (by their first reason, then the
   * earliest date, then the case id); the cursor is that position of the last case shown. Only the page's cases
   * are read as summaries, logged and answered; a table before the cursor's is not read at all.
   */
  private async page(m: EntityManager, ctx: RequestContext, tables: TableAccess[], q: PageQueryDto, startedAt: Date): Promise<WorklistPage> {
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const after = q.cursor === undefined ? undefined : (decodeCursor(q.cursor, [CURSOR_UUID, isRank, DUE_KEY, CURSOR_UUID]) as WorklistPosition);
    if (after && !tables.some((a) => a.tableId === after[0])) throw invalidCursor();
    const items: Partial<WorklistItemView>[] = [];
    let last: WorklistPosition | undefined;
    let more = false;
    for (const access of [...tables].sort((a, b) => a.tableId.localeCompare(b.tableId))) {
      if (after && access.tableId < after[0]) continue;
      const candidates = await this.candidatesAt(m, access, after && access.tableId === after[0] ? after : undefined);
      const shown = candidates.slice(0, limit - items.length);
      items.push(...(await this.itemsAt(m, ctx, access, shown, startedAt)));
      if (shown.length) last = shown[shown.length - 1].position;
      if (candidates.length > shown.length) {
        more = true;
        break;
      }
    }
    return { items, nextCursor: more && last ? encodeCursor(last) : null };
  }

  /** The table's cases with a granted reason, in order, after `after`. */
  private async candidatesAt(m: EntityManager, access: TableAccess, after?: WorklistPosition): Promise<Candidate[]> {
    const rows = await this.worklist.findReasons(m, access.tableId, this.clock.today());
    const byCase = new Map<string, WorklistReasonRow[]>();
    for (const r of rows) byCase.set(r.case_id, [...(byCase.get(r.case_id) ?? []), r]);
    return [...byCase]
      .map(([caseId, reasons]) => ({ caseId, reasons: reasonViews(reasons, access.categories) }))
      .filter((x) => x.reasons.length)
      .map((x): Candidate => ({ ...x, position: [access.tableId, rank(x.reasons), earliest(x.reasons), x.caseId] }))
      .filter((x) => !after || comparePositions(x.position, after) > 0)
      .sort((a, b) => comparePositions(a.position, b.position));
  }

  private async itemsAt(m: EntityManager, ctx: RequestContext, access: TableAccess, shown: Candidate[], startedAt: Date): Promise<Partial<WorklistItemView>[]> {
    if (!shown.length) return [];
    const summaries = new Map((await this.cases.findSummaries(m, access.tableId, shown.map((x) => x.caseId), this.clock.today())).map((s) => [s.id, s]));
    // A case moved to another table since the reasons were read is not this table's any more.
    const listed = shown.filter((x) => summaries.has(x.caseId));
    await this.log.record(m, ctx, access, {
      operation: OPERATION,
      activityCategory: 'deliberation',
      categories: worklistCategories(listed.flatMap((x) => x.reasons), access.categories),
      subjects: listed.map((x) => ({ subjectId: summaries.get(x.caseId)!.subject_id, vNumber: summaries.get(x.caseId)!.v_number })),
      purpose: Purpose.CasePreparation,
      startedAt,
    });
    return listed.map((x) => worklistItemView(access.tableId, summaries.get(x.caseId)!, x.reasons, access.categories));
  }
}

/** Where a case stands in the worklist: its table, the rank of its first reason, its earliest date ('~': none) and its id. */
type WorklistPosition = [tableId: string, rank: number, due: string, caseId: string];
interface Candidate {
  caseId: string;
  reasons: Partial<WorklistReasonView>[];
  position: WorklistPosition;
}

const DUE_KEY = /^(\d{4}-\d{2}-\d{2}|~)$/;
const isRank = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < WORKLIST_REASON_CODES.length;
const comparePositions = (a: WorklistPosition, b: WorklistPosition) =>
  a[0].localeCompare(b[0]) || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0) || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
const rank = (reasons: { code?: string }[]) => (WORKLIST_REASON_CODES as readonly string[]).indexOf(reasons[0]?.code ?? '');
/** The earliest date among the reasons ('~' sorts after every date: undated last). */
const earliest = (reasons: { dueDate?: string | null }[]) => reasons.map((r) => r.dueDate ?? '~').sort()[0] ?? '~';
