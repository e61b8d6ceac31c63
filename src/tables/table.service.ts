import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { conflict, notFound } from '../common/problem';
import { installDefaultEscalationRules } from '../escalations/escalation-settings.service';
import type { RequestContext } from '../common/request-context';
import { createProcessingActivities, defaultGrants, renameProcessingActivities, saveCovenantVersion } from './covenant-writer';
import { MemberOrganisationService } from './member-organisation.service';
import { containsPattern, Keyset } from '../common/list-query';
import { DEFAULT_PAGE_SIZE, Page, pageOf } from '../common/pagination';
import { CreateTableDto, ListTablesQuery, TABLE_SORT, TableDto, TableSummaryDto, UpdateTableDto } from './table.dto';
import { isAdministrator, TablePolicy } from './table.policy';
import { TableError } from './tables.errors';

export const DEFAULT_COVENANT_NOTE = 'Default covenant (DOMAIN.md section 7)';

const UNIQUE: Record<string, [code: TableError, detail: string]> = {
  chain_table_name_key: [TableError.NameTaken, 'A table with this name exists already.'],
  chain_table_case_reference_prefix_key: [TableError.CaseReferencePrefixTaken, 'Another table uses this case reference prefix.'],
};

const uniqueViolation = (e: unknown) => {
  const hit = e instanceof QueryFailedError ? UNIQUE[(e.driverError as { constraint?: string }).constraint ?? ''] : undefined;
  return hit ? conflict(...hit) : e;
};

@Injectable()
export class TableService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policy: TablePolicy,
    private readonly memberOrganisations: MemberOrganisationService,
  ) {}

  /** Table, seats, register of processing activities and covenant version 1 commit together or not at all. */
  async create(ctx: RequestContext, dto: CreateTableDto): Promise<TableDto> {
    const id = await this.dataSource
      .transaction(async (m) => {
        await this.memberOrganisations.requireEligible(m, dto.memberOrganisationIds, 'memberOrganisationIds');
        const [table] = await m.query(
          `INSERT INTO chain_table (name, coa_location, municipality_code, cadence_rrule, holiday_policy, retention_months, case_reference_prefix)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [dto.name, dto.coaLocation, dto.municipalityCode, dto.cadenceRrule, dto.holidayPolicy ?? 'skip', dto.retentionMonths ?? 24, dto.caseReferencePrefix],
        );
        await m.query(`INSERT INTO table_member_organisation (table_id, organisation_id) SELECT $1, unnest($2::uuid[])`, [
          table.id,
          dto.memberOrganisationIds,
        ]);
        await createProcessingActivities(m, table.id, dto.name);
        // chain_table has no created_by column: the caller is recorded as the author of covenant version 1.
        await saveCovenantVersion(m, table.id, defaultGrants(), ctx.principal.id, DEFAULT_COVENANT_NOTE);
        await installDefaultEscalationRules(m, table.id);
        return table.id as string;
      })
      .catch((e) => {
        throw uniqueViolation(e);
      });
    return this.detail(this.dataSource.manager, id);
  }

  /** Administrators see every table; anyone else the tables they sit at (with their role). A keyset page by name (unique). */
  async list(ctx: RequestContext, q: ListTablesQuery): Promise<Page<TableSummaryDto>> {
    const admin = isAdministrator(ctx);
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const keyset = new Keyset(TABLE_SORT, q.sort ?? 'name', 't.id');
    const params: unknown[] = admin ? [ctx.principal.id] : [ctx.principal.id, ctx.principal.organisationId];
    const where = [keyset.after(q.cursor, params)];
    if (q.q !== undefined) where.push(`t.name ILIKE $${params.push(containsPattern(q.q))} ESCAPE '\\'`);
    const conditions = where.filter(Boolean);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT t.id, t.name, t.coa_location, t.municipality_code, t.case_reference_prefix, t.active, tm.role, ${keyset.keySql} AS sort_key
         FROM chain_table t
         ${admin ? 'LEFT' : ''} JOIN table_membership tm ON tm.table_id = t.id AND tm.user_id = $1 AND tm.ended_at IS NULL
         ${admin ? '' : 'JOIN table_member_organisation mo ON mo.table_id = t.id AND mo.organisation_id = $2 AND mo.left_at IS NULL'}
        ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY ${keyset.orderBy} LIMIT $${params.push(limit + 1)}`,
      params,
    );
    return pageOf(rows as { id: string; sort_key: string }[], limit, keyset.positionOf, (r) => {
      const row = r as Record<string, unknown>;
      return {
        id: row.id as string,
        name: row.name as string,
        coaLocation: row.coa_location as string,
        municipalityCode: row.municipality_code as string,
        caseReferencePrefix: row.case_reference_prefix as string,
        active: row.active as boolean,
        role: (row.role as TableSummaryDto['role']) ?? null,
      };
    });
  }

  async get(ctx: RequestContext, id: string): Promise<TableDto> {
    await this.policy.requireReader(ctx, id, 'table.read');
    return this.detail(this.dataSource.manager, id);
  }

  async update(ctx: RequestContext, id: string, dto: UpdateTableDto): Promise<TableDto> {
    await this.dataSource
      .transaction(async (m) => {
        await this.policy.lock(m, id);
        await this.policy.requireManager(ctx, id, 'table.update', m);
        const columns: [keyof UpdateTableDto, string][] = [
          ['name', 'name'],
          ['coaLocation', 'coa_location'],
          ['cadenceRrule', 'cadence_rrule'],
          ['holidayPolicy', 'holiday_policy'],
          ['retentionMonths', 'retention_months'],
          ['active', 'active'],
        ];
        const set = columns.filter(([field]) => dto[field] !== undefined);
        if (!set.length) return;
        await m.query(
          `UPDATE chain_table SET ${set.map(([, column], i) => `${column} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`,
          [id, ...set.map(([field]) => dto[field])],
        );
        if (dto.name !== undefined) await renameProcessingActivities(m, id, dto.name);
      })
      .catch((e) => {
        throw uniqueViolation(e);
      });
    return this.detail(this.dataSource.manager, id);
  }

  private async detail(m: EntityManager, id: string): Promise<TableDto> {
    const [t] = await m.query(
      `SELECT t.*, cv.version AS covenant_version
         FROM chain_table t LEFT JOIN covenant_version cv ON cv.id = t.current_covenant_version_id
        WHERE t.id = $1`,
      [id],
    );
    if (!t) throw notFound('Table');
    return {
      id: t.id,
      name: t.name,
      coaLocation: t.coa_location,
      municipalityCode: t.municipality_code,
      cadenceRrule: t.cadence_rrule,
      holidayPolicy: t.holiday_policy,
      retentionMonths: t.retention_months,
      caseReferencePrefix: t.case_reference_prefix,
      active: t.active,
      memberOrganisations: await this.memberOrganisations.current(m, id),
      currentCovenantVersion: t.covenant_version ?? null,
    };
  }
}
