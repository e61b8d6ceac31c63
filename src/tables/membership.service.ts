import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TableRole } from '../auth/permissions';
import { conflict, notFound } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { CreateMembershipDto, TableMembershipDto, UpdateMembershipDto } from './membership.dto';
import { TablePolicy } from './table.policy';
import { TableError } from './tables.errors';

interface MembershipRow {
  id: string;
  user_id: string;
  user_name: string;
  organisation_id: string;
  organisation_type: TableMembershipDto['organisationType'];
  role: TableRole;
  started_at: Date;
  ended_at: Date | null;
  changed_by: string | null;
}

const toDto = (r: MembershipRow): TableMembershipDto => ({
  id: r.id,
  userId: r.user_id,
  userName: r.user_name,
  organisationId: r.organisation_id,
  organisationType: r.organisation_type,
  role: r.role,
  startedAt: r.started_at.toISOString(),
  endedAt: r.ended_at?.toISOString() ?? null,
  changedBy: r.changed_by,
});

const ended = () => conflict(TableError.MembershipEnded, 'This membership has ended; start a new one instead.');

/**
 * People at a table. Rows are never rewritten into something else: a change of role ends the row and
 * starts a new one, so the history of who chaired when survives. Every change runs under the table lock
 * of TablePolicy, which is what keeps "at most one chair" true under concurrent requests.
 */
@Injectable()
export class MembershipService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policy: TablePolicy,
  ) {}

  async list(ctx: RequestContext, tableId: string, includeEnded: boolean): Promise<TableMembershipDto[]> {
    await this.policy.requireReader(ctx, tableId, 'table.membership.list');
    const rows = await this.query(this.dataSource.manager, `tm.table_id = $1${includeEnded ? '' : ' AND tm.ended_at IS NULL'}`, [tableId]);
    return rows.map(toDto);
  }

  async create(ctx: RequestContext, tableId: string, dto: CreateMembershipDto): Promise<TableMembershipDto> {
    return this.dataSource.transaction(async (m) => {
      await this.policy.lock(m, tableId);
      await this.policy.requireManager(ctx, tableId, 'table.membership.create', m);
      const [user] = await m.query(
        `SELECT u.disabled_at, mo.id AS seat
           FROM app_user u
           LEFT JOIN table_member_organisation mo ON mo.organisation_id = u.organisation_id AND mo.table_id = $2 AND mo.left_at IS NULL
          WHERE u.id = $1`,
        [dto.userId, tableId],
      );
      if (!user) throw notFound('User');
      if (user.disabled_at) throw conflict(TableError.UserDisabled, 'The user is disabled.');
      if (!user.seat) throw conflict(TableError.OrganisationNotMember, "The user's organisation is not a member organisation of this table.");
      const [active] = await m.query(`SELECT 1 FROM table_membership WHERE table_id = $1 AND user_id = $2 AND ended_at IS NULL`, [tableId, dto.userId]);
      if (active) throw conflict(TableError.AlreadyMember, 'The user has an active membership of this table already.');
      if (dto.role === TableRole.Chair) await this.demoteChair(m, tableId, ctx.principal.id);
      return this.start(m, tableId, dto.userId, dto.role, ctx.principal.id);
    });
  }

  async changeRole(ctx: RequestContext, tableId: string, membershipId: string, dto: UpdateMembershipDto): Promise<TableMembershipDto> {
    return this.dataSource.transaction(async (m) => {
      await this.policy.lock(m, tableId);
      await this.policy.requireManager(ctx, tableId, 'table.membership.update', m);
      const [row] = await this.query(m, 'tm.id = $1 AND tm.table_id = $2', [membershipId, tableId]);
      if (!row) throw notFound('Membership');
      if (row.ended_at) throw ended();
      if (row.role === dto.role) return toDto(row);
      // The chair role may pass to a person of any member organisation; the previous chair stays on as member.
      if (dto.role === TableRole.Chair) await this.demoteChair(m, tableId, ctx.principal.id);
      await this.close(m, membershipId, ctx.principal.id);
      return this.start(m, tableId, row.user_id, dto.role, ctx.principal.id);
    });
  }

  async end(ctx: RequestContext, tableId: string, membershipId: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.policy.lock(m, tableId);
      await this.policy.requireManager(ctx, tableId, 'table.membership.end', m);
      const [row] = await m.query(`SELECT ended_at FROM table_membership WHERE id = $1 AND table_id = $2`, [membershipId, tableId]);
      if (!row) throw notFound('Membership');
      if (row.ended_at) throw ended();
      await this.close(m, membershipId, ctx.principal.id);
    });
  }

  /** Ends the current chair's row and seats them again as member, effective at the same instant. */
  private async demoteChair(m: EntityManager, tableId: string, by: string): Promise<void> {
    const [chairs] = await m.query(
      `UPDATE table_membership SET ended_at = now(), changed_by = $2 WHERE table_id = $1 AND role = 'chair' AND ended_at IS NULL RETURNING user_id`,
      [tableId, by],
    );
    for (const chair of chairs as { user_id: string }[]) await this.start(m, tableId, chair.user_id, TableRole.Member, by);
  }

  private async close(m: EntityManager, membershipId: string, by: string): Promise<void> {
    await m.query(`UPDATE table_membership SET ended_at = now(), changed_by = $2 WHERE id = $1 AND ended_at IS NULL`, [membershipId, by]);
  }

  private async start(m: EntityManager, tableId: string, userId: string, role: TableRole, by: string): Promise<TableMembershipDto> {
    // started_at = now() is the transaction's start, so it equals the ended_at of the row it replaces.
    const [{ id }] = await m.query(`INSERT INTO table_membership (table_id, user_id, role, changed_by) VALUES ($1, $2, $3, $4) RETURNING id`, [
      tableId,
      userId,
      role,
      by,
    ]);
    const [row] = await this.query(m, 'tm.id = $1', [id]);
    return toDto(row);
  }

  private query(m: EntityManager, where: string, params: unknown[]): Promise<MembershipRow[]> {
    return m.query(
      `SELECT tm.id, tm.user_id, u.name AS user_name, u.organisation_id, o.type AS organisation_type, tm.role, tm.started_at, tm.ended_at, tm.changed_by
         FROM table_membership tm
         JOIN app_user u ON u.id = tm.user_id
         JOIN organisation o ON o.id = u.organisation_id
        WHERE ${where}
        ORDER BY tm.ended_at IS NOT NULL, tm.started_at, tm.id`,
      params,
    );
  }
}
