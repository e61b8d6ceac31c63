import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuthError } from '../auth/auth.errors';
import { GlobalRole } from '../auth/permissions';
import { MEASURE_TYPE_CODES } from '../cases/measure-catalogue';
import { Clock } from '../common/clock';
import { CommonError, DomainException, notFound, ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { amsterdamDate } from '../common/working-days';
import type { Grant, TableAccess } from '../sharing/access.service';
import { AccessService } from '../sharing/access.service';
import type { Category } from '../sharing/categories';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { parseQuarter, type Quarter, quarterContaining } from './quarter';
import { municipalityFigures } from './statistics-report';
import { type StatisticsBody, statisticsBody } from './statistics-view';
import { STATISTICS_SETTINGS, STATISTICS_SQL, statisticsParams, type StatisticsRow } from './statistics.sql';
import { Purpose } from '../sharing/purposes';

/** The purpose every statistics request is logged with. */
export const STATISTICS_PURPOSE = Purpose.Statistics;
/** The categories the figures are aggregated from (never disclosed: the answer holds aggregates only). */
export const STATISTICS_CATEGORIES: Category[] = ['incidents', 'criminal', 'measures', 'procedure', 'return', 'deliberation'];
export const STATISTICS_LEGAL_BASIS = 'Art. 5 lid 1 onder b en art. 89 AVG: verdere verwerking voor statistische doeleinden, alleen geaggregeerd';

interface TableRow {
  id: string;
  name: string;
  municipality_code: string;
  case_reference_prefix: string;
}

export interface StatisticsResult {
  body: StatisticsBody;
  /** For the CSV's file name: the table's case reference prefix, or the municipality code. Never about a person. */
  fileStem: string;
}

/**
 * Quarterly statistics of a table or a municipality (README, "Statistics"): one statement over every table of
 * the municipality, disclosure control over tables and municipality together, one audit entry per table with
 * purpose `statistics`.
 *
 * Who may read (the route's permission lets these through; this decides, and audits every refusal):
 * - a table's statistics: the people sitting at it (chair or member, while their organisation is a member), the
 *   municipality's own organisation for a table in its municipality, privacy officers;
 * - a municipality's: the municipality's own organisation (type MUNICIPALITY with that CBS code), privacy officers.
 * A table the caller may not see is not found (as everywhere); another municipality's statistics are refused (403).
 *
 * No processing-log entries: that log has one entry per data subject touched, and no subject is touched in a
 * way that reaches the caller; an entry per person counted (tens of thousands for a busy quarter) would bury
 * each person's history, which the access request reads, under statistics that say nothing about them.
 */
@Injectable()
export class StatisticsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
  ) {}

  async forTable(ctx: RequestContext, tableId: string, quarterCode: string | undefined): Promise<StatisticsResult> {
    const startedAt = this.clock.now();
    const quarter = this.quarter(quarterCode, startedAt);
    const operation = 'statistics.read';
    const [row]: (TableRow & { role: TableAccess['role'] | null; member: boolean; own_municipality: boolean })[] = await this.dataSource.query(
      `SELECT t.id, t.name, t.municipality_code, t.case_reference_prefix, tm.role,
              (mo.organisation_id IS NOT NULL AND tm.role IS NOT NULL) AS member,
              coalesce(o.type = 'MUNICIPALITY' AND o.active AND o.municipality_code = t.municipality_code, false) AS own_municipality
         FROM chain_table t
         LEFT JOIN table_member_organisation mo ON mo.table_id = t.id AND mo.organisation_id = $2 AND mo.left_at IS NULL
         LEFT JOIN table_membership tm ON tm.table_id = t.id AND tm.user_id = $3 AND tm.ended_at IS NULL
         LEFT JOIN organisation o ON o.id = $2
        WHERE t.id = $1`,
      [tableId, ctx.principal.organisationId, ctx.principal.id],
    );
    if (!row) return this.access.deny(ctx, operation, undefined, notFound('Table'));
    const member = row.member && ctx.principal.kind === 'user';
    if (!member && !row.own_municipality && !this.isPrivacyOfficer(ctx)) return this.access.deny(ctx, operation, { tableId: row.id }, notFound('Table'));

    const tables = await this.tablesOf(row.municipality_code);
    const figures = await this.compute(ctx, operation, tables, quarter, startedAt, (id) => (id === row.id && member ? row.role : null));
    return {
      body: statisticsBody('table', row.municipality_code, [row], quarter, startedAt, figures.tables.get(row.id)!),
      fileStem: row.case_reference_prefix,
    };
  }

  async forMunicipality(ctx: RequestContext, municipalityCode: string, quarterCode: string | undefined): Promise<StatisticsResult> {
    const startedAt = this.clock.now();
    const quarter = this.quarter(quarterCode, startedAt);
    const operation = 'municipality_statistics.read';
    const [org]: { own: boolean }[] = await this.dataSource.query(
      `SELECT (type = 'MUNICIPALITY' AND active AND municipality_code = $2) AS own FROM organisation WHERE id = $1`,
      [ctx.principal.organisationId, municipalityCode],
    );
    if (!org?.own && !this.isPrivacyOfficer(ctx)) {
      return this.access.deny(
        ctx,
        operation,
        undefined,
        new DomainException(HttpStatus.FORBIDDEN, AuthError.PermissionDenied, "A municipality's statistics are open to its own organisation and to privacy officers."),
      );
    }
    const tables = await this.tablesOf(municipalityCode);
    if (!tables.length) throw new DomainException(HttpStatus.NOT_FOUND, CommonError.NotFound, 'No table is registered in this municipality.');
    const roles = new Map<string, TableAccess['role']>(
      (
        await this.dataSource.query(
          `SELECT tm.table_id, tm.role FROM table_membership tm
             JOIN table_member_organisation mo ON mo.table_id = tm.table_id AND mo.organisation_id = $2 AND mo.left_at IS NULL
            WHERE tm.user_id = $1 AND tm.ended_at IS NULL AND tm.table_id = ANY($3::uuid[])`,
          [ctx.principal.id, ctx.principal.organisationId, tables.map((t) => t.id)],
        )
      ).map((r: { table_id: string; role: TableAccess['role'] }) => [r.table_id, r.role]),
    );
    const figures = await this.compute(ctx, operation, tables, quarter, startedAt, (id) => roles.get(id) ?? null);
    return { body: statisticsBody('municipality', municipalityCode, tables, quarter, startedAt, figures.municipality), fileStem: municipalityCode };
  }

  /**
   * Runs the statement over every table of the municipality and writes one audit entry per table, in one
   * transaction committed before the answer; then disclosure control over tables and municipality together.
   */
  private async compute(
    ctx: RequestContext,
    operation: string,
    tables: TableRow[],
    quarter: Quarter,
    startedAt: Date,
    roleAt: (tableId: string) => TableAccess['role'] | null,
  ) {
    const ids = tables.map((t) => t.id);
    const rows = await this.dataSource.transaction(async (m: EntityManager) => {
      await m.query(STATISTICS_SETTINGS);
      const result: StatisticsRow[] = await m.query(STATISTICS_SQL, statisticsParams(ids, quarter.from, quarter.until, startedAt, MEASURE_TYPE_CODES));
      for (const id of ids) {
        // A caller without a role at the table (the municipality, a privacy officer) is logged with their global role, if any.
        const access = { tableId: id, role: roleAt(id), categories: new Set<Category>(), grants: STATISTICS_GRANTS } as unknown as TableAccess;
        await this.log.record(m, ctx, access, {
          operation,
          activityCategory: 'deliberation',
          categories: STATISTICS_CATEGORIES,
          subjects: [],
          purpose: STATISTICS_PURPOSE,
          startedAt,
        });
      }
      return result;
    });
    return municipalityFigures(rows, ids);
  }

  private tablesOf(municipalityCode: string): Promise<TableRow[]> {
    return this.dataSource.query(`SELECT id, name, municipality_code, case_reference_prefix FROM chain_table WHERE municipality_code = $1 ORDER BY name, id`, [
      municipalityCode,
    ]);
  }

  /** The quarter asked for, or the current one; a quarter that has not begun is refused. */
  private quarter(code: string | undefined, now: Date): Quarter {
    const today = amsterdamDate(now);
    const quarter = code ? parseQuarter(code) : quarterContaining(today);
    if (!quarter) throw new ValidationProblem([{ name: 'quarter', reason: 'must be a quarter such as 2026-Q3' }]);
    if (quarter.from > today) throw new ValidationProblem([{ name: 'quarter', reason: `must not be after the current quarter (${quarterContaining(today).code})` }]);
    return quarter;
  }

  private isPrivacyOfficer(ctx: RequestContext): boolean {
    return ctx.principal.kind === 'user' && ctx.principal.roles.includes(GlobalRole.PrivacyOfficer);
  }
}

/** The legal basis the audit entries name, for every category the figures are aggregated from. */
const STATISTICS_GRANTS: ReadonlyMap<Category, Grant> = new Map(
  STATISTICS_CATEGORIES.map((c): [Category, Grant] => [c, { processingActivityId: '', legalBasis: STATISTICS_LEGAL_BASIS, lawfulGround: 'public_task' }]),
);
