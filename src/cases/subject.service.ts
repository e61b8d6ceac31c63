import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import type { RequestContext } from '../common/request-context';
import { AccessService, TableAccess } from '../sharing/access.service';
import { categoriesOf } from '../sharing/disclosure';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { CaseRepository } from './case.repository';
import { CaseListItemView, listItemView, SubjectSearchResultView } from './case-view';
import { Purpose } from '../sharing/purposes';

/** Finding a person by V-number across the tables the caller sits at. */
@Injectable()
export class SubjectService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly cases: CaseRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Only tables whose covenant grants the caller `identity` are searched: matching a V-number to a case is
   * processing of identity data. Nothing is said about cases elsewhere, not even that they exist.
   */
  async search(ctx: RequestContext, vNumber: string): Promise<SubjectSearchResultView> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const tables = (await this.access.accessibleTables(ctx, m)).filter((t) => t.categories.has('identity'));
      if (!tables.length) return { items: [] };
      const byId = new Map<string, TableAccess>(tables.map((t) => [t.tableId, t]));
      const rows = await this.cases.findByVNumber(m, vNumber, [...byId.keys()], this.clock.today());
      // One log entry per table at which the person was found, under that table's covenant.
      for (const tableId of new Set(rows.map((r) => r.table_id))) {
        const access = byId.get(tableId)!;
        await this.log.record(m, ctx, access, {
          operation: 'subject.search',
          activityCategory: 'identity',
          categories: categoriesOf(CaseListItemView, access.categories),
          subjects: [{ subjectId: rows.find((r) => r.table_id === tableId)!.subject_id, vNumber }],
          purpose: Purpose.CaseIntake,
          startedAt,
        });
      }
      return { items: rows.map((r) => listItemView(r, byId.get(r.table_id)!.categories)) };
    });
  }
}
