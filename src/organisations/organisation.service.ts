import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { RevocationService } from '../auth/revocation.service';
import { conflict, notFound } from '../common/problem';
import { containsPattern, Keyset } from '../common/list-query';
import { DEFAULT_PAGE_SIZE, Page, pageOf } from '../common/pagination';
import { CreateOrganisationDto, ListOrganisationsQuery, ORGANISATION_SORT, OrganisationDto, UpdateOrganisationDto } from './organisation.dto';
import { Organisation } from './organisation.entity';
import { OrganisationError } from './organisation.errors';

const toDto = (o: Organisation): OrganisationDto => ({
  id: o.id,
  type: o.type,
  name: o.name,
  municipalityCode: o.municipalityCode,
  active: o.active,
});

interface OrganisationRow {
  id: string;
  type: OrganisationDto['type'];
  name: string;
  municipality_code: string | null;
  active: boolean;
}

const uniqueName = (e: unknown) => {
  if (e instanceof QueryFailedError && (e.driverError as { constraint?: string }).constraint === 'organisation_name_key') {
    return conflict(OrganisationError.NameTaken, 'An organisation with this name exists already.');
  }
  return e;
};

@Injectable()
export class OrganisationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly revocations: RevocationService,
  ) {}

  async create(dto: CreateOrganisationDto): Promise<OrganisationDto> {
    const repo = this.dataSource.getRepository(Organisation);
    const saved = await repo.save(repo.create({ ...dto, municipalityCode: dto.municipalityCode ?? null, active: true })).catch((e) => {
      throw uniqueName(e);
    });
    return toDto(saved);
  }

  /** A keyset page by name (unique, indexed by `organisation_name_key`), optionally only names containing `q`. */
  async list(q: ListOrganisationsQuery): Promise<Page<OrganisationDto>> {
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const keyset = new Keyset(ORGANISATION_SORT, q.sort ?? 'name', 'o.id');
    const params: unknown[] = [];
    const where = [keyset.after(q.cursor, params)];
    if (q.q !== undefined) where.push(`o.name ILIKE $${params.push(containsPattern(q.q))} ESCAPE '\\'`);
    const conditions = where.filter(Boolean);
    const rows: (OrganisationRow & { sort_key: string })[] = await this.dataSource.query(
      `SELECT o.id, o.type, o.name, o.municipality_code, o.active, ${keyset.keySql} AS sort_key
         FROM organisation o ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY ${keyset.orderBy} LIMIT $${params.push(limit + 1)}`,
      params,
    );
    return pageOf(rows, limit, keyset.positionOf, (r) => ({ id: r.id, type: r.type, name: r.name, municipalityCode: r.municipality_code, active: r.active }));
  }

  async get(id: string): Promise<OrganisationDto> {
    const org = await this.dataSource.getRepository(Organisation).findOneBy({ id });
    if (!org) throw notFound('Organisation');
    return toDto(org);
  }

  async update(id: string, dto: UpdateOrganisationDto): Promise<OrganisationDto> {
    const repo = this.dataSource.getRepository(Organisation);
    const org = await repo.findOneBy({ id });
    if (!org) throw notFound('Organisation');
    const deactivating = dto.active === false && org.active;
    Object.assign(org, dto);
    const revoked = await this.dataSource
      .transaction(async (m) => {
        await m.save(org);
        if (!deactivating) return [];
        // Its users and systems lose access now, not when their tokens expire.
        return [
          await this.revocations.revokeSessions(m, { organisationId: id }, 'organisation_deactivated'),
          await this.revocations.revokeClientTokens(m, { organisationId: id }),
        ];
      })
      .catch((e) => {
        throw uniqueName(e);
      });
    revoked.forEach((r) => this.revocations.remember(r));
    return toDto(org);
  }
}
