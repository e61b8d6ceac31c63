import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { GlobalRole, OrganisationType, Permission, PERMISSIONS, TableRole } from '../auth/permissions';
import { holdsPermission, permissionRefusal, Principal } from '../auth/principal';
import type { RequestContext } from '../common/request-context';
import { DomainException, notFound } from '../common/problem';
import { prepared } from '../db/prepared';
import { Category, LawfulGround } from './categories';
import { ProcessingLogService } from './processing-log.service';
import { CaseBinding, RESOURCES, ResourceSpec, ResourceType } from './resources';
import { caseErased, READ_PERMISSIONS, subjectRestricted } from './restriction';
import { SharingError } from './sharing.errors';

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

export interface CaseRef {
  caseId: string;
  subjectId: string;
  /** For the processing log's keyed hash only; never put in a response unless `identity` is granted. */
  vNumber: string;
}

export interface CaseAccess extends TableAccess, CaseRef {}

/** What a service receives for a resource: the table access, and the case too for a case-bound resource. */
export type AccessTo<K extends ResourceType> =
  CaseBinding<K> extends 'always' ? CaseAccess : CaseBinding<K> extends 'optional' ? TableAccess & Partial<CaseRef> : TableAccess;

export interface AccessCheck {
  /** The permission of the operation: its table roles in PERMISSIONS decide who at the table may (e.g. chair only). */
  permission: Permission;
  /** The audit log's name of the operation, e.g. `agenda.publish`. */
  operation: string;
  /** The resource must belong to this table or case, or it is not found (e.g. a case put on this table's agenda). */
  within?: { tableId?: string; caseId?: string };
  /**
   * The operation only lessens processing of a restricted person's case (taking it off an agenda), so the
   * restriction (art. 18 AVG) does not refuse it. Anything that reads or adds is refused.
   */
  allowRestricted?: boolean;
}

export interface AccessRow {
  table_id: string;
  member: boolean;
  role: TableAccess['role'] | null;
  grants: { category: Category; activity: string; basis: string; ground: LawfulGround }[];
  case_id?: string | null;
  subject_id?: string | null;
  v_number?: string | null;
  row_key?: string | null;
  owner_organisation_id?: string | null;
  restricted?: boolean | null;
  erased?: boolean | null;
}

/**
 * More of the resource's row, read in the same statement as the access decision (the case read's detail):
 * columns and LATERAL joins over the aliases of the resource's FROM (`c`, `s`, `t`, `r`), with parameters
 * added through `param`. The row is only handed out when access is granted.
 */
export interface Projection {
  build(param: (value: unknown) => string): { columns: string; joins?: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const chairOnly = () => new DomainException(HttpStatus.FORBIDDEN, SharingError.ChairOnly, 'Only the chair of this table may do this.');

/**
 * The one place that decides access to tables and everything at them (STYLE.md, "one place decides access").
 * - An organisation sees a table's resources only while it is a member organisation of that table; a person
 *   additionally needs an active membership (chair or member) of it. Partner systems act for their
 *   organisation, within their OAuth2 scopes.
 * - The categories come from the table's current covenant for the caller's organisation type; a chair
 *   sees no more than their organisation may.
 * - Which table role an operation needs is read from PERMISSIONS, never decided by the calling service.
 * - Administrators see no case content, whatever else they are.
 * - "Not a member" and "does not exist" are answered alike: 404 naming the resource. Every refusal is
 *   written to the audit log here, the same way.
 * - A case of a person whose processing is restricted (art. 18 AVG) is refused to everyone at the table
 *   (409 `subject_restricted`), as is every write to a case whose personal data was erased (`case_erased`).
 */
@Injectable()
export class AccessService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: ProcessingLogService,
  ) {}

  /**
   * Resolves the caller's access to one resource (RESOURCES says how it finds its table and case), in one
   * statement with membership and covenant. An id that is absent or not a UUID is not found without a query.
   */
  async require<K extends ResourceType>(
    ctx: RequestContext,
    type: K,
    id: string | null | undefined,
    check: AccessCheck,
    m: EntityManager = this.dataSource.manager,
  ): Promise<AccessTo<K>> {
    return (await this.resolve(ctx, type, id, check, m)).access;
  }

  /**
   * `require`, reading the `projection` of the resource's row in the same statement: one round trip for the
   * decision and the data (the case read). The row is returned only with access granted.
   */
  async requireWith<K extends ResourceType, R>(
    ctx: RequestContext,
    type: K,
    id: string | null | undefined,
    check: AccessCheck,
    projection: Projection,
    m: EntityManager = this.dataSource.manager,
  ): Promise<{ access: AccessTo<K>; row: R }> {
    const { access, row } = await this.resolve(ctx, type, id, check, m, projection);
    return { access, row: row as unknown as R };
  }

  private async resolve<K extends ResourceType>(
    ctx: RequestContext,
    type: K,
    id: string | null | undefined,
    check: AccessCheck,
    m: EntityManager,
    projection?: Projection,
  ): Promise<{ access: AccessTo<K>; row: AccessRow }> {
    const spec: ResourceSpec = RESOURCES[type];
    const holders = PERMISSIONS[check.permission];
    if (!holders.tableRoles?.length) throw new Error(`${check.permission} names no table role, so it cannot open a ${type}`);
    const missing = (known?: TableAccess | { tableId: string }) => this.deny(ctx, check.operation, known, notFound(spec.name));
    if (this.isAdministrator(ctx) || !id || !UUID.test(id)) return missing();

    const where = [`${spec.id} = $1`];
    const params: unknown[] = [id];
    if (check.within?.tableId) where.push(`t.id = $${params.push(check.within.tableId)}`);
    if (check.within?.caseId) where.push(`c.id = $${params.push(check.within.caseId)}`);
    const [row] = await this.query(ctx.principal, m, spec, where.join(' AND '), params, { projection });
    if (!row) return missing();
    if (!row.member) return missing({ tableId: row.table_id });

    const access = toAccess(row);
    const category = typeof spec.rowCategory === 'object' ? spec.rowCategory.of(row.row_key ?? '') : spec.rowCategory;
    if (spec.rowCategory && !(category && access.categories.has(category))) return missing(access);
    if (spec.partnerSystemOwner && ctx.principal.kind === 'client' && row.owner_organisation_id !== ctx.principal.organisationId) return missing(access);

    const allowed = access.role === 'partner_system' ? holdsPermission(ctx.principal, check.permission) : holders.tableRoles.includes(access.role as TableRole);
    if (!allowed) {
      const chairsOnly = access.role !== 'partner_system' && holders.tableRoles.every((r) => r === TableRole.Chair);
      return this.deny(ctx, check.operation, access, chairsOnly ? chairOnly() : permissionRefusal(ctx.principal, check.permission));
    }
    if (!row.case_id) return { access: access as AccessTo<K>, row };
    // Restriction and erasure are decided here too, after membership: a non-member learns neither.
    if (row.restricted && !check.allowRestricted) return this.deny(ctx, check.operation, access, subjectRestricted());
    if (row.erased && !READ_PERMISSIONS.has(check.permission)) return this.deny(ctx, check.operation, access, caseErased());
    return { access: { ...access, caseId: row.case_id, subjectId: row.subject_id!, vNumber: row.v_number! } as AccessTo<K>, row };
  }

  /** Every table the caller may see cases of (for searches across tables). */
  async accessibleTables(ctx: RequestContext, m: EntityManager = this.dataSource.manager): Promise<TableAccess[]> {
    if (this.isAdministrator(ctx)) return [];
    const rows = await this.query(ctx.principal, m, RESOURCES.table, 't.active', [], { membersOnly: true });
    return rows.map(toAccess);
  }

  /**
   * What an organisation's own systems may see at a table now, for what the system sends them by itself
   * (webhooks): decided like a partner system's request, from the organisation's current membership of the
   * table and the covenant's grants for its type. Undefined when it is not (or no longer) a member
   * organisation there, or is deactivated.
   */
  async organisationAccess(organisationId: string, tableId: string, m: EntityManager = this.dataSource.manager): Promise<TableAccess | undefined> {
    const [org]: { type: OrganisationType }[] = await m.query(`SELECT type FROM organisation WHERE id = $1 AND active`, [organisationId]);
    if (!org) return undefined;
    const system: Principal = { kind: 'client', id: organisationId, organisationId, organisationType: org.type, roles: [], scopes: [] };
    const [row] = await this.query(system, m, RESOURCES.table, 't.id = $1', [tableId], { membersOnly: true });
    return row ? toAccess(row) : undefined;
  }

  /** A write that touches a category the caller may not see is refused (403) and changes nothing. */
  async requireCategories(ctx: RequestContext, access: TableAccess, categories: Category[], operation: string): Promise<void> {
    const missing = categories.filter((c) => !access.categories.has(c));
    if (missing.length) {
      await this.deny(
        ctx,
        operation,
        access,
        new DomainException(
          HttpStatus.FORBIDDEN,
          SharingError.CategoryNotGranted,
          `The covenant of this table does not grant your organisation the categor${missing.length > 1 ? 'ies' : 'y'} ${missing.join(', ')}.`,
          { categories: missing },
        ),
      );
    }
  }

  /**
   * Audits a refusal and throws it. Services call this for the refusals only they can decide (such as
   * "another organisation's action"), so that every refusal is written the same way.
   */
  async deny(ctx: RequestContext, operation: string, known: Partial<Pick<TableAccess, 'tableId' | 'role'>> | undefined, error: DomainException): Promise<never> {
    await this.log.recordDenied(ctx, operation, { tableId: known?.tableId ?? null, role: known?.role ?? null });
    throw error;
  }

  private isAdministrator(ctx: RequestContext): boolean {
    return ctx.principal.kind === 'user' && ctx.principal.roles.includes(GlobalRole.Admin);
  }

  /** The access statement (`accessStatement`), prepared: its texts are a few per resource type, and it opens nearly every request. */
  private query(
    p: Principal,
    m: EntityManager,
    spec: ResourceSpec,
    where: string,
    params: unknown[],
    options: { membersOnly?: boolean; projection?: Projection } = {},
  ): Promise<AccessRow[]> {
    const { text, values } = accessStatement(p, spec, where, params, options);
    return prepared<AccessRow>(m, text, values);
  }
}

/**
 * The membership and current-covenant query, for any resource: `spec.from` reaches the table `t`, and
 * the caller's membership and grants are joined to it. Left joins, so that a resource of another table
 * is still told apart (for the audit log only) from one that does not exist. A pure function, so that the
 * benchmark's bare handler runs exactly this SQL.
 */
export function accessStatement(
  p: Principal,
  spec: ResourceSpec,
  where: string,
  params: unknown[],
  options: { membersOnly?: boolean; projection?: Projection } = {},
): { text: string; values: unknown[] } {
  const n = params.length;
  const person = p.kind === 'user';
  const member = person ? 'mo.organisation_id IS NOT NULL AND tm.role IS NOT NULL' : 'mo.organisation_id IS NOT NULL';
  const values = [...params, p.organisationId, p.organisationType, ...(person ? [p.id] : [])];
  const more = options.projection?.build((value) => `$${values.push(value)}`);
  const columns = [
    ...(more ? [more.columns] : []),
    't.id AS table_id',
    `(${member}) AS member`,
    person ? 'tm.role' : `'partner_system' AS role`,
    ...(spec.case !== 'none' ? ['c.id AS case_id', 'c.subject_id', 's.v_number', 's.restricted_at IS NOT NULL AS restricted', 'c.erased_at IS NOT NULL AS erased'] : []),
    ...(typeof spec.rowCategory === 'object' ? [`${spec.rowCategory.column} AS row_key`] : []),
    ...(spec.partnerSystemOwner ? [`${spec.partnerSystemOwner} AS owner_organisation_id`] : []),
    `(SELECT coalesce(json_agg(json_build_object('category', g.category, 'activity', g.processing_activity_id,
                                                 'basis', g.legal_basis, 'ground', g.lawful_ground)), '[]')
        FROM covenant_grant g
       WHERE g.covenant_version_id = t.current_covenant_version_id AND g.organisation_type = $${n + 2}) AS grants`,
  ];
  const text = `
    SELECT ${columns.join(',\n           ')}
      ${spec.from}
      LEFT JOIN table_member_organisation mo ON mo.table_id = t.id AND mo.organisation_id = $${n + 1} AND mo.left_at IS NULL
      ${person ? `LEFT JOIN table_membership tm ON tm.table_id = t.id AND tm.user_id = $${n + 3} AND tm.ended_at IS NULL` : ''}
      ${more?.joins ?? ''}
     WHERE ${where}${options.membersOnly ? ` AND ${member}` : ''}`;
  return { text, values };
}

/** The access of an access statement's row (for a member). */
export function toAccess(row: AccessRow): TableAccess {
  const grants = new Map<Category, Grant>(
    row.grants.map((g) => [g.category, { processingActivityId: g.activity, legalBasis: g.basis, lawfulGround: g.ground }]),
  );
  return { tableId: row.table_id, role: row.role!, categories: new Set(grants.keys()), grants };
}
