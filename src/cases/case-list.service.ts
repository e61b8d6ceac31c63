import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Permission } from '../auth/permissions';
import { Clock } from '../common/clock';
import type { RequestContext } from '../common/request-context';
import { AccessService } from '../sharing/access.service';
import type { Category } from '../sharing/categories';
import { categoriesOf } from '../sharing/disclosure';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { ListCasesQuery } from './case.dto';
import { CaseListRow, CaseRepository } from './case.repository';
import { invalidField } from './case-support';
import { CaseListItemView, CasePageView, listItemView, shownSubjects } from './case-view';
import { Purpose } from '../sharing/purposes';

const DEFAULT_LIMIT = 25;
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The position after a row, as (opened_at to the microsecond, id): stable while cases are added. */
export const encodeCursor = (row: CaseListRow) => Buffer.from(JSON.stringify([row.cursor_at, row.id])).toString('base64url');

function decodeCursor(cursor: string): { openedAt: string; id: string } {
  try {
    const [openedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof openedAt === 'string' && CURSOR_AT.test(openedAt) && typeof id === 'string' && UUID.test(id)) return { openedAt, id };
  } catch {
    // Falls through to the problem below.
  }
  throw invalidField('cursor', 'is not a cursor this API issued');
}

/** Which incidents the viewer may see, and so which may decide the `incidentSince` filter. */
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
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    // No transaction: the page is one statement and its log entries one more, written before the answer.
    // Three round trips in all, whatever the page size (test/query-budget.e2e-spec.ts counts them).
    const m = this.dataSource.manager;
    const access = await this.access.require(ctx, 'table', tableId, { permission: Permission.CaseRead, operation: 'case.list' }, m);
    // Filtering on a category discloses it as surely as showing it does.
    if (q.status || q.riskLevel || q.hasOverdueActions !== undefined) {
      await this.access.requireCategories(ctx, access, ['deliberation'], 'case.list');
    }
    const incidentClassifications = visibleIncidentClassifications(access.categories);
    const rows = await this.cases.findPage(
      m,
      tableId,
      { statuses: q.status, riskLevels: q.riskLevel, hasOverdueActions: q.hasOverdueActions, incidentSince: q.incidentSince, incidentClassifications, after },
      limit + 1,
      this.clock.today(),
    );
    const page = rows.slice(0, limit);
    const filtered: Category[] = q.incidentSince === undefined ? [] : [...access.categories].filter((c) => c === 'incidents' || c === 'criminal');
    await this.log.record(m, ctx, access, {
      operation: 'case.list',
      activityCategory: 'deliberation',
      categories: [...new Set([...categoriesOf(CaseListItemView, access.categories), ...filtered])],
      subjects: shownSubjects(page),
      purpose: Purpose.CasePreparation,
      startedAt,
    });
    return {
      items: page.map((r) => listItemView(r, access.categories)),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
    };
  }
}
