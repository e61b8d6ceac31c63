import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { OrganisationType } from '../auth/permissions';
import { Clock } from '../common/clock';
import { CATEGORY_LABELS, label } from '../common/labels';
import { notFound, ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { Keyset } from '../common/list-query';
import { DEFAULT_PAGE_SIZE, pageOf } from '../common/pagination';
import {
  AccessReviewDto,
  ApiClientAccessDto,
  CategoryAccessDto,
  REFUSED_ATTEMPT_ORDER,
  RefusedAttemptDto,
  RefusedAttemptsDto,
  RefusedAttemptsQueryDto,
  UserAccessDto,
} from './access-review.dto';
import { CATEGORIES, type Category, type LawfulGround } from './categories';
import { grantedSinceSql } from './grant-history';
import { ProcessingLogService } from './processing-log.service';

const DEFAULT_PERIOD_DAYS = 90;

interface GrantRow {
  organisation_type: OrganisationType;
  category: Category;
  lawful_ground: LawfulGround;
  legal_basis: string;
  since: Date;
}

interface HolderRow {
  organisationId: string;
  organisationName: string;
  organisationType: OrganisationType;
  organisationMemberSince: Date;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const latest = (...dates: (Date | string)[]) => new Date(Math.max(...dates.map((d) => new Date(d).getTime())));

/**
 * The privacy officer's periodic re-certification of a table (DOMAIN.md section 7): who can see which
 * categories there now and since when, decided as AccessService decides it (an active membership of a
 * person, or a partner system, of an active member organisation, times the grants of the covenant in
 * force for its type); and the attempts that were refused there, from the audit log. Both reads are
 * audited themselves (`access_review.read`, `access_review.refused_attempts`).
 */
@Injectable()
export class AccessReviewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: ProcessingLogService,
    private readonly clock: Clock,
  ) {}

  async review(ctx: RequestContext, tableId: string): Promise<AccessReviewDto> {
    return this.dataSource.transaction(async (m) => {
      const table = await this.table(m, tableId);
      const grants = await this.grants(m, tableId);
      const categoriesOf = (type: OrganisationType, holderSince: Date[]): CategoryAccessDto[] =>
        grants
          .filter((g) => g.organisation_type === type)
          .map((g) => ({
            category: g.category,
            categoryLabel: label(CATEGORY_LABELS, g.category),
            since: iso(latest(g.since, ...holderSince)),
            lawfulGround: g.lawful_ground,
            legalBasis: g.legal_basis,
          }));
      const userRows: (HolderRow & { userId: string; name: string; role: string; memberSince: Date; lastSignInAt: Date | null })[] = await m.query(
        `SELECT u.id AS "userId", u.name, tm.role, tm.started_at AS "memberSince",
                o.id AS "organisationId", o.name AS "organisationName", o.type AS "organisationType", mo.joined_at AS "organisationMemberSince",
                (SELECT max(s.created_at) FROM auth_session s WHERE s.user_id = u.id) AS "lastSignInAt"
           FROM table_membership tm
           JOIN app_user u ON u.id = tm.user_id AND u.disabled_at IS NULL
           JOIN organisation o ON o.id = u.organisation_id AND o.active
           JOIN table_member_organisation mo ON mo.table_id = tm.table_id AND mo.organisation_id = o.id AND mo.left_at IS NULL
          WHERE tm.table_id = $1 AND tm.ended_at IS NULL
          ORDER BY o.name, u.name, u.id`,
        [tableId],
      );
      const clientRows: (HolderRow & { apiClientId: string; name: string; clientId: string; scopes: string[]; registeredAt: Date })[] = await m.query(
        `SELECT c.id AS "apiClientId", c.name, c.client_id AS "clientId", c.scopes, c.created_at AS "registeredAt",
                o.id AS "organisationId", o.name AS "organisationName", o.type AS "organisationType", mo.joined_at AS "organisationMemberSince"
           FROM api_client c
           JOIN organisation o ON o.id = c.organisation_id AND o.active
           JOIN table_member_organisation mo ON mo.table_id = $1 AND mo.organisation_id = o.id AND mo.left_at IS NULL
          WHERE c.disabled_at IS NULL
          ORDER BY o.name, c.name, c.id`,
        [tableId],
      );
      const holder = (r: HolderRow) => ({
        organisationId: r.organisationId,
        organisationName: r.organisationName,
        organisationType: r.organisationType,
        organisationMemberSince: iso(r.organisationMemberSince),
      });
      const users: UserAccessDto[] = userRows.map((r) => ({
        userId: r.userId,
        name: r.name,
        role: r.role,
        memberSince: iso(r.memberSince),
        lastSignInAt: r.lastSignInAt ? iso(r.lastSignInAt) : null,
        ...holder(r),
        categories: categoriesOf(r.organisationType, [r.memberSince, r.organisationMemberSince]),
      }));
      const apiClients: ApiClientAccessDto[] = clientRows.map((r) => ({
        apiClientId: r.apiClientId,
        name: r.name,
        clientId: r.clientId,
        scopes: r.scopes,
        registeredAt: iso(r.registeredAt),
        ...holder(r),
        categories: categoriesOf(r.organisationType, [r.registeredAt, r.organisationMemberSince]),
      }));
      await this.log.recordSupervision(m, ctx, {
        operation: 'access_review.read',
        tableId,
        detail: { review: 'access', returnedUsers: users.length, returnedApiClients: apiClients.length },
      });
      return { tableId, tableName: table.name, reviewedAt: iso(this.clock.now()), covenantVersion: table.version, users, apiClients };
    });
  }

  async refusedAttempts(ctx: RequestContext, tableId: string, q: RefusedAttemptsQueryDto): Promise<RefusedAttemptsDto> {
    const to = q.to ? new Date(q.to) : this.clock.now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_PERIOD_DAYS * 86_400_000);
    if (from >= to) throw new ValidationProblem([{ name: q.from ? 'from' : 'to', reason: q.from ? 'must be before to' : 'must be after from' }]);
    return this.dataSource.transaction(async (m) => {
      await this.table(m, tableId);
      const refused = `FROM audit_log e WHERE e.table_id = $1 AND e.result = 'denied' AND e.occurred_at >= $2 AND e.occurred_at < $3`;
      const names = `
        LEFT JOIN app_user u ON e.actor_kind = 'user' AND u.id = e.actor_id
        LEFT JOIN api_client c ON e.actor_kind = 'client' AND c.id = e.actor_id
        LEFT JOIN organisation o ON o.id = e.organisation_id`;
      const period = [tableId, from, to];
      const [{ total }] = await m.query(`SELECT count(*)::int AS total ${refused}`, period);
      const byAction = await m.query(`SELECT e.action, count(*)::int AS count ${refused} GROUP BY e.action ORDER BY count(*) DESC, e.action`, period);
      const byActor = await m.query(
        `SELECT r.actor_kind AS "actorKind", r.actor_id AS "actorId", coalesce(u.name, c.name) AS "actorName", o.name AS "organisationName", r.count
           FROM (SELECT e.actor_kind, e.actor_id, max(e.organisation_id::text)::uuid AS organisation_id, count(*)::int AS count ${refused} GROUP BY e.actor_kind, e.actor_id) r
           LEFT JOIN app_user u ON r.actor_kind = 'user' AND u.id = r.actor_id
           LEFT JOIN api_client c ON r.actor_kind = 'client' AND c.id = r.actor_id
           LEFT JOIN organisation o ON o.id = r.organisation_id
          ORDER BY r.count DESC, "actorName", r.actor_id`,
        period,
      );
      const limit = q.limit ?? DEFAULT_PAGE_SIZE;
      const keyset = new Keyset(REFUSED_ATTEMPT_ORDER, '-occurredAt', 'e.id', 'bigint');
      const params: unknown[] = [...period];
      const after = keyset.after(q.cursor, params);
      const rows: (RefusedAttemptDto & { sort_key: string; occurredAt: Date })[] = await m.query(
        `SELECT e.id::text AS id, e.operation_id AS "operationId", e.occurred_at AS "occurredAt", e.actor_kind AS "actorKind", e.actor_id AS "actorId",
                coalesce(u.name, c.name) AS "actorName", e.organisation_id AS "organisationId", o.name AS "organisationName", e.role, e.action,
                e.origin_ip AS "originIp", ${keyset.keySql} AS sort_key
           FROM audit_log e ${names}
          WHERE e.table_id = $1 AND e.result = 'denied' AND e.occurred_at >= $2 AND e.occurred_at < $3${after ? ` AND ${after}` : ''}
          ORDER BY ${keyset.orderBy}
          LIMIT $${params.push(limit + 1)}`,
        params,
      );
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const page = pageOf(rows, limit, keyset.positionOf, ({ sort_key, ...i }) => ({ ...i, occurredAt: iso(i.occurredAt) }));
      await this.log.recordSupervision(m, ctx, {
        operation: 'access_review.refused_attempts',
        tableId,
        detail: { review: 'refused_attempts', filter: { from: iso(from), to: iso(to), limit, ...(q.cursor ? { cursor: true } : {}) }, returned: page.items.length },
      });
      return { tableId, from: iso(from), to: iso(to), total, byAction, byActor, items: page.items, nextCursor: page.nextCursor, truncated: page.nextCursor !== null };
    });
  }

  private async table(m: EntityManager, tableId: string): Promise<{ name: string; version: number | null }> {
    const [table] = await m.query(
      `SELECT t.name, v.version FROM chain_table t LEFT JOIN covenant_version v ON v.id = t.current_covenant_version_id WHERE t.id = $1`,
      [tableId],
    );
    if (!table) throw notFound('Table');
    return table;
  }

  private async grants(m: EntityManager, tableId: string): Promise<GrantRow[]> {
    const rows: GrantRow[] = await m.query(
      `SELECT g.organisation_type, g.category, g.lawful_ground, g.legal_basis, ${grantedSinceSql('t.id', 'g.organisation_type', 'g.category')} AS since
         FROM chain_table t JOIN covenant_grant g ON g.covenant_version_id = t.current_covenant_version_id
        WHERE t.id = $1`,
      [tableId],
    );
    return rows.sort((a, b) => CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category));
  }
}
