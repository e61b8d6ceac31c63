import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { OrganisationType } from '../auth/permissions';
import { conflict, InvalidParam, notFound, ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { MEMBER_ORGANISATION_TYPES } from '../sharing/categories';
import { TableMemberOrganisationDto } from './table.dto';
import { TablePolicy } from './table.policy';
import { TableError } from './tables.errors';

type Eligibility = 'eligible' | 'unknown' | 'inactive' | 'not_a_partner';

const PARTNER_TYPES: ReadonlySet<OrganisationType> = new Set(MEMBER_ORGANISATION_TYPES);

const REASONS: Record<Exclude<Eligibility, 'eligible'>, string> = {
  unknown: 'is not an existing organisation',
  inactive: 'is an inactive organisation',
  not_a_partner: 'is not a chain partner organisation and cannot sit at a table',
};

/** The organisations that sit at a table. Leaving keeps the row (`left_at`) and ends its people's seats. */
@Injectable()
export class MemberOrganisationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policy: TablePolicy,
  ) {}

  async current(m: EntityManager, tableId: string): Promise<TableMemberOrganisationDto[]> {
    const rows = await m.query(
      `SELECT o.id, o.type, o.name, mo.joined_at
         FROM table_member_organisation mo JOIN organisation o ON o.id = mo.organisation_id
        WHERE mo.table_id = $1 AND mo.left_at IS NULL
        ORDER BY mo.joined_at, o.name, o.id`,
      [tableId],
    );
    return rows.map((r: { id: string; type: OrganisationType; name: string; joined_at: Date }) => ({
      organisationId: r.id,
      type: r.type,
      name: r.name,
      joinedAt: r.joined_at.toISOString(),
    }));
  }

  /** A 400 naming every id (by index) that is not an active chain partner. */
  async requireEligible(m: EntityManager, organisationIds: string[], field: string): Promise<void> {
    const eligibility = await this.eligibility(m, organisationIds);
    const invalid: InvalidParam[] = organisationIds.flatMap((id, i) => {
      const e = eligibility.get(id) ?? 'unknown';
      return e === 'eligible' ? [] : [{ name: `${field}.${i}`, reason: REASONS[e] }];
    });
    if (invalid.length) throw new ValidationProblem(invalid);
  }

  async add(ctx: RequestContext, tableId: string, organisationId: string): Promise<TableMemberOrganisationDto> {
    return this.dataSource.transaction(async (m) => {
      await this.policy.lock(m, tableId);
      await this.policy.requireManager(ctx, tableId, 'table.member_organisation.add', m);
      const eligibility = (await this.eligibility(m, [organisationId])).get(organisationId) ?? 'unknown';
      if (eligibility === 'unknown') throw notFound('Organisation');
      if (eligibility !== 'eligible') throw conflict(TableError.OrganisationNotEligible, `The organisation ${REASONS[eligibility]}.`);
      const [seated] = await m.query(`SELECT 1 FROM table_member_organisation WHERE table_id = $1 AND organisation_id = $2 AND left_at IS NULL`, [
        tableId,
        organisationId,
      ]);
      if (seated) throw conflict(TableError.OrganisationAlreadyMember, 'The organisation is a member of this table already.');
      await m.query(`INSERT INTO table_member_organisation (table_id, organisation_id) VALUES ($1, $2)`, [tableId, organisationId]);
      return (await this.current(m, tableId)).find((o) => o.organisationId === organisationId)!;
    });
  }

  /**
   * The organisation leaves the table, and its people's memberships end in the same transaction: access
   * stops with the next request, because AccessService reads both rows on every call.
   */
  async remove(ctx: RequestContext, tableId: string, organisationId: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.policy.lock(m, tableId);
      await this.policy.requireManager(ctx, tableId, 'table.member_organisation.remove', m);
      const [, left] = await m.query(
        `UPDATE table_member_organisation SET left_at = now() WHERE table_id = $1 AND organisation_id = $2 AND left_at IS NULL`,
        [tableId, organisationId],
      );
      if (!left) throw notFound('Member organisation');
      await m.query(
        `UPDATE table_membership tm SET ended_at = now(), changed_by = $3
           FROM app_user u
          WHERE u.id = tm.user_id AND u.organisation_id = $2 AND tm.table_id = $1 AND tm.ended_at IS NULL`,
        [tableId, organisationId, ctx.principal.id],
      );
    });
  }

  private async eligibility(m: EntityManager, ids: string[]): Promise<Map<string, Eligibility>> {
    const rows: { id: string; type: OrganisationType; active: boolean }[] = ids.length
      ? await m.query(`SELECT id, type, active FROM organisation WHERE id = ANY($1::uuid[])`, [ids])
      : [];
    return new Map(rows.map((o) => [o.id, !PARTNER_TYPES.has(o.type) ? 'not_a_partner' : o.active ? 'eligible' : 'inactive']));
  }
}
