import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { notFound } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { CATEGORIES, MEMBER_ORGANISATION_TYPES } from '../sharing/categories';
import { CovenantDto, CovenantGrantChangeDto, CovenantGrantDto, CovenantVersionDto, ReplaceCovenantDto } from './covenant.dto';
import { saveCovenantVersion } from './covenant-writer';
import { TablePolicy } from './table.policy';

interface VersionRow {
  id: string;
  version: number;
  created_at: Date;
  created_by: string | null;
  created_by_name: string | null;
  change_note: string;
}

const key = (g: Pick<CovenantGrantDto, 'organisationType' | 'category'>) => `${g.organisationType}/${g.category}`;
const order = (g: CovenantGrantDto) => CATEGORIES.indexOf(g.category) * 100 + MEMBER_ORGANISATION_TYPES.indexOf(g.organisationType);
const sorted = (grants: CovenantGrantDto[]) => [...grants].sort((a, b) => order(a) - order(b));

const header = (v: VersionRow) => ({
  version: v.version,
  createdAt: v.created_at.toISOString(),
  createdBy: v.created_by,
  createdByName: v.created_by_name,
  changeNote: v.change_note,
});

/** What changed from one version to the next, keyed by (organisation type, category). */
export function diffGrants(previous: CovenantGrantDto[], next: CovenantGrantDto[]): Pick<CovenantVersionDto, 'added' | 'removed' | 'changed'> {
  const before = new Map(previous.map((g) => [key(g), g]));
  const after = new Map(next.map((g) => [key(g), g]));
  const changed: CovenantGrantChangeDto[] = sorted(next)
    .filter((g) => {
      const old = before.get(key(g));
      return old && (old.lawfulGround !== g.lawfulGround || old.legalBasis !== g.legalBasis);
    })
    .map((g) => {
      const old = before.get(key(g))!;
      return {
        organisationType: g.organisationType,
        category: g.category,
        from: { lawfulGround: old.lawfulGround, legalBasis: old.legalBasis },
        to: { lawfulGround: g.lawfulGround, legalBasis: g.legalBasis },
      };
    });
  return {
    added: sorted(next.filter((g) => !before.has(key(g)))),
    removed: sorted(previous.filter((g) => !after.has(key(g)))),
    changed,
  };
}

/**
 * The covenant is versioned, never edited: a change saves a complete new version that applies from that
 * moment, because AccessService always reads the table's current version.
 */
@Injectable()
export class CovenantService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policy: TablePolicy,
  ) {}

  async current(ctx: RequestContext, tableId: string): Promise<CovenantDto> {
    await this.policy.requireReader(ctx, tableId, 'covenant.read');
    return this.load(this.dataSource.manager, tableId);
  }

  async versions(ctx: RequestContext, tableId: string): Promise<CovenantVersionDto[]> {
    await this.policy.requireReader(ctx, tableId, 'covenant.read');
    const m = this.dataSource.manager;
    const versions = await this.versionRows(m, 'v.table_id = $1', [tableId]);
    const grants = await this.grants(m, versions.map((v) => v.id));
    let previous: CovenantGrantDto[] = [];
    const history = versions.map((v) => {
      const current = grants.get(v.id) ?? [];
      const entry = { ...header(v), ...diffGrants(previous, current) };
      previous = current;
      return entry;
    });
    return history.reverse();
  }

  async replace(ctx: RequestContext, tableId: string, dto: ReplaceCovenantDto): Promise<CovenantDto> {
    return this.dataSource.transaction(async (m) => {
      await this.policy.lock(m, tableId);
      await this.policy.requireManager(ctx, tableId, 'covenant.write', m);
      await saveCovenantVersion(m, tableId, dto.grants, ctx.principal.id, dto.changeNote);
      return this.load(m, tableId);
    });
  }

  private async load(m: EntityManager, tableId: string): Promise<CovenantDto> {
    const [version] = await this.versionRows(m, 'v.id = (SELECT current_covenant_version_id FROM chain_table WHERE id = $1)', [tableId]);
    if (!version) throw notFound('Covenant');
    return { ...header(version), grants: (await this.grants(m, [version.id])).get(version.id) ?? [] };
  }

  private versionRows(m: EntityManager, where: string, params: unknown[]): Promise<VersionRow[]> {
    return m.query(
      `SELECT v.id, v.version, v.created_at, v.created_by, u.name AS created_by_name, v.change_note
         FROM covenant_version v LEFT JOIN app_user u ON u.id = v.created_by
        WHERE ${where}
        ORDER BY v.version`,
      params,
    );
  }

  /** The grants of each version, sorted. */
  private async grants(m: EntityManager, versionIds: string[]): Promise<Map<string, CovenantGrantDto[]>> {
    const rows: (CovenantGrantDto & { versionId: string })[] = await m.query(
      `SELECT covenant_version_id AS "versionId", organisation_type AS "organisationType", category,
              lawful_ground AS "lawfulGround", legal_basis AS "legalBasis", processing_activity_id AS "processingActivityId"
         FROM covenant_grant WHERE covenant_version_id = ANY($1::uuid[])`,
      [versionIds],
    );
    const byVersion = new Map<string, CovenantGrantDto[]>();
    for (const { versionId, ...grant } of rows) {
      if (!byVersion.has(versionId)) byVersion.set(versionId, []);
      byVersion.get(versionId)!.push(grant);
    }
    for (const [id, grants] of byVersion) byVersion.set(id, sorted(grants));
    return byVersion;
  }
}
