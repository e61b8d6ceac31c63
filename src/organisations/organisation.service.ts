import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { RevocationService } from '../auth/revocation.service';
import { conflict, notFound } from '../common/problem';
import { CreateOrganisationDto, OrganisationDto, UpdateOrganisationDto } from './organisation.dto';
import { Organisation } from './organisation.entity';
import { OrganisationError } from './organisation.errors';

const toDto = (o: Organisation): OrganisationDto => ({
  id: o.id,
  type: o.type,
  name: o.name,
  municipalityCode: o.municipalityCode,
  active: o.active,
});

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

  async list(): Promise<OrganisationDto[]> {
    const all = await this.dataSource.getRepository(Organisation).find({ order: { name: 'ASC', id: 'ASC' } });
    return all.map(toDto);
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
