import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Permission } from '../auth/permissions';
import { Clock } from '../common/clock';
import { CURSOR_DATE, CURSOR_TIMESTAMP, CURSOR_UUID, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, pageOf } from '../common/pagination';
import type { RequestContext } from '../common/request-context';
import { AccessService } from '../sharing/access.service';
import type { Category } from '../sharing/categories';
import { categoriesOf } from '../sharing/disclosure';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { CaseSort, ListCasesQuery } from './case.dto';
import { CaseFilters, CaseListRow, CaseOrder, CaseRepository, CaseSortField } from './case.repository';
import { CaseListItemView, CasePageView, listItemView, shownSubjects } from './case-view';
import { Purpose } from '../sharing/purposes';

const DEFAULT_SORT: CaseSort = '-openedAt';

/** What a cursor's sort key looks like, per sort. */
const KEY_SHAPE: Record<CaseSortField, (v: unknown) => boolean> = {
  openedAt: (v) => v === null,
  riskLevel: (v) => v === 1 || v === 2 || v === 3,
  nextDueDate: (v) => typeof v === 'string' && (v === 'infinity' || CURSOR_DATE.test(v)),
  lastIncidentAt: (v) => typeof v === 'string' && (v === '-infinity' || CURSOR_TIMESTAMP.test(v)),
};

export const orderOf = (sort: CaseSort): CaseOrder => ({ field: sort.replace(/^-/, '') as CaseSortField, descending: sort.startsWith('-') });

/**
 * The position after a row: the sort it belongs to, its sort key (null when sorted on opened), opened_at to the
 * microsecond and id. Stable while cases are added; a cursor of another sort is refused.
 */
export const encodeCaseCursor = (row: CaseListRow, sort: CaseSort = DEFAULT_SORT) => encodeCursor([sort, row.sort_key ?? null, row.cursor_at, row.id]);

function decodeCaseCursor(cursor: string, sort: CaseSort): NonNullable<CaseFilters['after']> {
  const [, key, openedAt, id] = decodeCursor(cursor, [(v) => v === sort, KEY_SHAPE[orderOf(sort).field], CURSOR_TIMESTAMP, CURSOR_UUID]);
  return { ...(key === null ? {} : { key: key as string | number }), openedAt: openedAt as string, id: id as string };
}

/** Which incidents the viewer may see, and so which may decide the `incidentSince` filter and the `lastIncidentAt` sort. */
export function visibleIncidentClassifications(granted: ReadonlySet<Category>): string[] {
  return [...(granted.has('incidents') ? ['nuisance'] : []), ...(granted.has('criminal') ? ['offence'] : [])];
}

/** A table's cases, a page at a time: one query for the page and one log call for all its subjects. */
@Injectable()
export class CaseListService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly cases: CaseRepository,
    private readonly clock: Clock,
  ) {}

  async list(ctx: RequestContext, tableId: string, q: ListCasesQuery): Promise<CasePageView> {
    const startedAt = this.clock.now();
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const sort = q.sort ?? DEFAULT_SORT;
    const order = orderOf(sort);
    const after = q.cursor === undefined ? undefined : decodeCaseCursor(q.cursor, sort);
    // No transaction: the page is one statement and its log entries one more, written before the answer.
    // Three round trips in all, whatever the page size (test/query-budget.e2e-spec.ts counts them).
    const m = this.dataSource.manager;
    const access = await this.access.require(ctx, 'table', tableId, { permission: Permission.CaseRead, operation: 'case.list' }, m);
    // Filtering or sorting on a category discloses it as surely as showing it does.
    if (q.status || q.riskLevel || q.hasOverdueActions !== undefined || order.field === 'riskLevel' || order.field === 'nextDueDate') {
      await this.access.requireCategories(ctx, access, ['deliberation'], 'case.list');
    }
    const incidentClassifications = visibleIncidentClassifications(access.categories);
    // Sorting on incidents the caller may not see would disclose them: it orders on the visible ones, and with none is refused.
    if (order.field === 'lastIncidentAt' && !incidentClassifications.length) {
      await this.access.requireCategories(ctx, access, ['incidents'], 'case.list');
    }
    const names = access.categories.has('identity');
    const rows = await this.cases.findPage(
      m,
      tableId,
      {
        statuses: q.status,
        riskLevels: q.riskLevel,
        hasOverdueActions: q.hasOverdueActions,
        incidentSince: q.incidentSince,
        incidentClassifications,
        sort: order,
        search: q.q === undefined ? undefined : { text: q.q, names },
        after,
      },
      limit + 1,
      this.clock.today(),
    );
    const page = pageOf(rows, limit, (r) => [sort, r.sort_key ?? null, r.cursor_at, r.id], (r) => r);
    const incidentsUsed = q.incidentSince !== undefined || order.field === 'lastIncidentAt';
    const used: Category[] = [
      ...(incidentsUsed ? [...access.categories].filter((c) => c === 'incidents' || c === 'criminal') : []),
      // A name search discloses identity even for the cases it did not find.
      ...(q.q !== undefined && names ? (['identity'] as const) : []),
    ];
    await this.log.record(m, ctx, access, {
      operation: 'case.list',
      activityCategory: 'deliberation',
      categories: [...new Set([...categoriesOf(CaseListItemView, access.categories), ...used])],
      subjects: shownSubjects(page.items),
      purpose: Purpose.CasePreparation,
      startedAt,
    });
    return { items: page.items.map((r) => listItemView(r, access.categories)), nextCursor: page.nextCursor };
  }
}
