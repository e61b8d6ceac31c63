import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { GlobalRole } from '../auth/permissions';
import type { RequestContext } from '../common/request-context';
import { DomainException } from '../common/problem';
import { Category, LawfulGround } from './categories';
import { ProcessingLogService } from './processing-log.service';

export interface Grant {
  processingActivityId: string;
  legalBasis: string;
  lawfulGround: LawfulGround;
}

/** What the caller may do at one table: resolved in SQL from membership and the current covenant. */
export interface TableAccess {
  tableId: string;
  /** `chair` or `member` for people; `partner_system` for an API client of a member organisation. */
  role: 'chair' | 'member' | 'partner_system';
  categories: ReadonlySet<Category>;
  grants: ReadonlyMap<Category, Grant>;
}

export interface CaseAccess extends TableAccess {
  caseId: string;
  subjectId: string;
  /** For the processing log's keyed hash only; never put in a response unless `identity` is granted. */
  vNumber: string;
}

interface AccessRow {
  table_id: string;
  role: TableAccess['role'];
  grants: { category: Category; activity: string; basis: string; ground: LawfulGround }[];
  case_id?: string;
  subject_id?: string;
  v_number?: string;
}

const notFound = (what: string) => new DomainException(HttpStatus.NOT_FOUND, 'not_found', `${what} was not found.`);

/**
 * The one place that decides access to case content (STYLE.md, "one place decides access").
 * - An organisation sees a table's cases only while it is a member organisation of that table; a person
 *   additionally needs an active membership (chair or member) of it. Partner systems act for their
 *   organisation.
 * - The categories come from the table's current covenant for the caller's organisation type; a chair
 *   sees no more than their organisation may.
 * - Administrators see no case content, whatever else they are.
 * - "Not a member" and "does not exist" are answered alike: 404. Refusals are written to the audit log.
 */
@Injectable()
export class AccessService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: ProcessingLogService,
  ) {}

  async requireTable(ctx: RequestContext, tableId: string, action: string, m: EntityManager = this.dataSource.manager): Promise<TableAccess> {
    const row = await this.resolve(ctx, m, 'FROM chain_table t', 't.id = $1', tableId);
    if (!row) {
      await this.log.recordDenied(ctx, action, {});
      throw notFound('Table');
    }
    return toAccess(row);
  }

  async requireChair(ctx: RequestContext, tableId: string, action: string, m?: EntityManager): Promise<TableAccess> {
    const access = await this.requireTable(ctx, tableId, action, m);
    if (access.role !== 'chair') {
      await this.log.recordDenied(ctx, action, { tableId, role: access.role });
      throw new DomainException(HttpStatus.FORBIDDEN, 'chair_only', 'Only the chair of this table may do this.');
    }
    return access;
  }

  async requireCase(ctx: RequestContext, caseId: string, action: string, m: EntityManager = this.dataSource.manager): Promise<CaseAccess> {
    const row = await this.resolve(
      ctx,
      m,
      'FROM case_file c JOIN chain_table t ON t.id = c.table_id JOIN subject s ON s.id = c.subject_id',
      'c.id = $1',
      caseId,
      ', c.id AS case_id, c.subject_id, s.v_number',
    );
    if (!row) {
      await this.log.recordDenied(ctx, action, {});
      throw notFound('Case');
    }
    return { ...toAccess(row), caseId: row.case_id!, subjectId: row.subject_id!, vNumber: row.v_number! };
  }

  /** Every table the caller may see cases of (for searches across tables). */
  async accessibleTables(ctx: RequestContext, m: EntityManager = this.dataSource.manager): Promise<TableAccess[]> {
    if (this.isAdministrator(ctx)) return [];
    const rows = await this.query(ctx, m, 'FROM chain_table t', 't.active', []);
    return rows.map(toAccess);
  }

  /** A write that touches a category the caller may not see is refused (403) and changes nothing. */
  async requireCategories(ctx: RequestContext, access: TableAccess, categories: Category[], action: string): Promise<void> {
    const missing = categories.filter((c) => !access.categories.has(c));
    if (missing.length) {
      await this.log.recordDenied(ctx, action, { tableId: access.tableId, role: access.role });
      throw new DomainException(
        HttpStatus.FORBIDDEN,
        'category_not_granted',
        `The covenant of this table does not grant your organisation the categor${missing.length > 1 ? 'ies' : 'y'} ${missing.join(', ')}.`,
        { categories: missing },
      );
    }
  }

  private isAdministrator(ctx: RequestContext): boolean {
    return ctx.principal.kind === 'user' && ctx.principal.roles.includes(GlobalRole.Admin);
  }

  private async resolve(ctx: RequestContext, m: EntityManager, from: string, where: string, id: string, extra = ''): Promise<AccessRow | undefined> {
    if (this.isAdministrator(ctx)) return undefined;
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const [row] = await this.query(ctx, m, from, where, [id], extra);
    return row;
  }

  private query(ctx: RequestContext, m: EntityManager, from: string, where: string, params: unknown[], extra = ''): Promise<AccessRow[]> {
    const p = ctx.principal;
    const n = params.length;
    const person = p.kind === 'user';
    const sql = `
      SELECT t.id AS table_id, ${person ? 'tm.role' : `'partner_system'`} AS role${extra},
             coalesce(json_agg(json_build_object('category', g.category, 'activity', g.processing_activity_id,
                                                 'basis', g.legal_basis, 'ground', g.lawful_ground))
                      FILTER (WHERE g.id IS NOT NULL), '[]') AS grants
        ${from}
        JOIN table_member_organisation mo ON mo.table_id = t.id AND mo.organisation_id = $${n + 1} AND mo.left_at IS NULL
        ${person ? `JOIN table_membership tm ON tm.table_id = t.id AND tm.user_id = $${n + 3} AND tm.ended_at IS NULL` : ''}
        LEFT JOIN covenant_grant g ON g.covenant_version_id = t.current_covenant_version_id AND g.organisation_type = $${n + 2}
       WHERE ${where}
       GROUP BY t.id${person ? ', tm.role' : ''}${extra ? ', c.id, c.subject_id, s.v_number' : ''}`;
    return m.query(sql, [...params, p.organisationId, p.organisationType, ...(person ? [p.id] : [])]);
  }
}

function toAccess(row: AccessRow): TableAccess {
  const grants = new Map<Category, Grant>(
    row.grants.map((g) => [g.category, { processingActivityId: g.activity, legalBasis: g.basis, lawfulGround: g.ground }]),
  );
  return { tableId: row.table_id, role: row.role, categories: new Set(grants.keys()), grants };
}
