import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Permission } from '../auth/permissions';
import { Clock } from '../common/clock';
import { Page, PageQueryDto, pageOfBounded } from '../common/pagination';
import { DomainException, forbidden, ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { AccessService, CaseAccess } from '../sharing/access.service';
import type { Category } from '../sharing/categories';
import { disclose } from '../sharing/disclosure';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { requireCaseStillOpen } from './incident.service';
import { MEASURE_CATALOGUE, measureType, MeasureType, visibleMeasureTypes } from './measure-catalogue';
import { CreateMeasureDto, MeasureTypeView, MeasureView, UpdateMeasureDto } from './measure.dto';
import { Measure, MeasureStatus } from './measure.entity';
import { CaseError } from './cases.errors';
import { CommonError } from '../common/problem';
import { Purpose } from '../sharing/purposes';

const PURPOSE_WRITE = Purpose.CaseRegistration;
const PURPOSE_READ = Purpose.CaseDiscussion;
const HOUR_MS = 3_600_000;

/** A measure that has ended or been revoked stays so; only its end time may still be corrected. */
const TRANSITIONS: Record<MeasureStatus, readonly MeasureStatus[]> = {
  planned: ['active', 'revoked'],
  active: ['ended', 'revoked'],
  ended: [],
  revoked: [],
};

const invalid = (code: CaseError, name: string, reason: string, extra: Record<string, unknown> = {}) =>
  new DomainException(HttpStatus.BAD_REQUEST, code, `${name} ${reason}.`, { invalidParams: [{ name, reason }], ...extra });

/** A measure of a type no longer in the catalogue has no known category, so nobody is shown it. */
const categoryOf = (m: Measure): Category | undefined => measureType(m.type)?.category;

@Injectable()
export class MeasureService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly clock: Clock,
  ) {}

  catalogue(): MeasureTypeView[] {
    return MEASURE_CATALOGUE.map((t) => disclose(MeasureTypeView, { ...t, imposedBy: [...t.imposedBy] }, new Set()) as MeasureTypeView);
  }

  async create(ctx: RequestContext, caseId: string, dto: CreateMeasureDto): Promise<Partial<MeasureView>> {
    const startedAt = this.clock.now();
    const type = measureType(dto.type)!;
    const starts = new Date(dto.startsAt);
    const ends = dto.endsAt !== undefined ? new Date(dto.endsAt) : type.defaultDurationHours ? new Date(starts.getTime() + type.defaultDurationHours * HOUR_MS) : null;
    if (ends && ends <= starts) throw new ValidationProblem([{ name: 'endsAt', reason: 'must be after startsAt' }]);
    const access = await this.access.require(ctx, 'case', caseId, { permission: Permission.MeasureWrite, operation: 'measure.create' });
    await this.access.requireCategories(ctx, access, [type.category], 'measure.create');
    const imposingOrganisationId = dto.imposingOrganisationId ?? ctx.principal.organisationId;
    await this.requireImposer(access, type, imposingOrganisationId, dto.imposingOrganisationId === undefined);
    const now = this.clock.now().getTime();
    const status: MeasureStatus = starts.getTime() > now ? 'planned' : ends && ends.getTime() <= now ? 'ended' : 'active';
    return this.dataSource.transaction(async (m) => {
      await requireCaseStillOpen(m, access);
      const saved = await m.save(
        m.create(Measure, {
          caseId,
          type: type.code,
          imposingOrganisationId,
          legalBasis: type.legalBasis,
          startsAt: starts,
          endsAt: ends,
          status,
          note: dto.note ?? null,
          createdByUserId: ctx.principal.kind === 'user' ? ctx.principal.id : null,
          // The Clock's, not the column default: the minutes count measures recorded between opening and closing.
          createdAt: new Date(now),
        }),
      );
      await this.logWrite(m, ctx, access, 'measure.create', type.category, startedAt);
      return toView(saved, access);
    });
  }

  /** A handful of measures per case, by design: paged in memory (pageOfBounded), after one read of them all. */
  async list(ctx: RequestContext, caseId: string, q: PageQueryDto): Promise<Page<Partial<MeasureView>>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'case', caseId, { permission: Permission.MeasureRead, operation: 'measure.list' }, m);
      const types = visibleMeasureTypes(access.categories);
      // Measures of a category the viewer is not granted are not fetched at all, so they cannot leak.
      const all = types.length ? await m.find(Measure, { where: { caseId, type: In(types) }, order: { startsAt: 'DESC', createdAt: 'DESC', id: 'DESC' } }) : [];
      const rows = pageOfBounded(all, q, (r) => r.id);
      const disclosed = [...new Set(rows.items.map((r) => categoryOf(r)!))];
      await this.log.record(m, ctx, access, {
        operation: 'measure.list',
        activityCategory: disclosed.includes('measures') || !disclosed.length ? 'measures' : disclosed[0],
        categories: disclosed,
        subjects: [access],
        purpose: PURPOSE_READ,
        startedAt,
      });
      return { items: rows.items.map((r) => toView(r, access)), nextCursor: rows.nextCursor };
    });
  }

  /** Only the imposing organisation changes its own measure (end it early, revoke it, correct its end). */
  async update(ctx: RequestContext, id: string, dto: UpdateMeasureDto): Promise<Partial<MeasureView>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      // The resolver answers a measure of a category the caller is not granted like a missing one.
      const access = await this.access.require(ctx, 'measure', id, { permission: Permission.MeasureWrite, operation: 'measure.update' }, m);
      const measure = await m.findOne(Measure, { where: { id }, lock: { mode: 'pessimistic_write' } });
      const category = categoryOf(measure!)!;
      if (measure!.imposingOrganisationId !== ctx.principal.organisationId) {
        await this.access.deny(ctx, 'measure.update', access, forbidden(CaseError.NotImposingOrganisation, 'Only the organisation that imposed this measure may change it.'));
      }
      const current = measure!.status;
      if (dto.status !== current && !TRANSITIONS[current].includes(dto.status)) {
        throw new DomainException(HttpStatus.CONFLICT, CommonError.IllegalTransition, `A measure that is ${current} cannot become ${dto.status}.`, {
          fromStatus: current,
          toStatus: dto.status,
          allowed: TRANSITIONS[current],
        });
      }
      let ends = dto.endsAt !== undefined ? new Date(dto.endsAt) : measure!.endsAt;
      const now = this.clock.now();
      const endingEarly = dto.status === 'ended' && current !== 'ended' && dto.endsAt === undefined && (!ends || ends > now);
      if (endingEarly && measure!.startsAt < now) ends = now;
      if (ends && ends <= measure!.startsAt) throw new ValidationProblem([{ name: 'endsAt', reason: 'must be after startsAt' }]);
      measure!.status = dto.status;
      measure!.endsAt = ends;
      const saved = await m.save(measure!);
      await this.logWrite(m, ctx, access, 'measure.update', category, startedAt);
      return toView(saved, access);
    });
  }

  /** The imposer sits at the table now and is of a type the catalogue names for this measure. */
  private async requireImposer(access: CaseAccess, type: MeasureType, organisationId: string, defaulted: boolean): Promise<void> {
    const [org] = await this.dataSource.query(
      `SELECT o.type FROM table_member_organisation mo JOIN organisation o ON o.id = mo.organisation_id
        WHERE mo.table_id = $1 AND mo.organisation_id = $2 AND mo.left_at IS NULL AND o.active`,
      [access.tableId, organisationId],
    );
    const name = 'imposingOrganisationId';
    if (!org) throw invalid(CaseError.ImposingOrganisationNotMember, name, "must be an active member organisation of the case's table");
    if (!type.imposedBy.includes(org.type)) {
      const reason = `must be an organisation of type ${type.imposedBy.join(' or ')} for ${type.code}${defaulted ? ' (it defaults to your organisation)' : ''}`;
      throw invalid(CaseError.ImposingOrganisationTypeMismatch, name, reason, { imposedBy: type.imposedBy });
    }
  }

  private async logWrite(m: EntityManager, ctx: RequestContext, access: CaseAccess, operation: string, category: Category, startedAt: Date): Promise<void> {
    await this.log.record(m, ctx, access, { operation, activityCategory: category, categories: [category], subjects: [access], purpose: PURPOSE_WRITE, startedAt });
  }
}

function toView(r: Measure, access: { categories: ReadonlySet<Category> }): Partial<MeasureView> {
  const category = categoryOf(r)!;
  const view: MeasureView = {
    id: r.id,
    caseId: r.caseId,
    category: category as MeasureView['category'],
    type: r.type,
    imposingOrganisationId: r.imposingOrganisationId,
    legalBasis: r.legalBasis,
    startsAt: r.startsAt.toISOString(),
    endsAt: r.endsAt?.toISOString() ?? null,
    status: r.status,
    note: r.note,
    createdAt: r.createdAt.toISOString(),
  };
  return disclose(MeasureView, view, access.categories, category);
}
