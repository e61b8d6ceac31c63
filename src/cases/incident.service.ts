import { HttpStatus, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { type OrganisationType, Permission } from '../auth/permissions';
import { Clock } from '../common/clock';
import { CURSOR_TIMESTAMP, CURSOR_UUID, decodeCursor, DEFAULT_PAGE_SIZE, Page, PageQueryDto, pageOf } from '../common/pagination';
import { conflict, DomainException, notFound, ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { EscalationRuleService } from '../escalations/escalation-rule.service';
import { AccessService, CaseAccess } from '../sharing/access.service';
import type { Category } from '../sharing/categories';
import { disclose } from '../sharing/disclosure';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { CreateIncidentDto, IncidentView, PushIncidentDto } from './incident.dto';
import { Incident, INCIDENT_CLASSIFICATIONS, IncidentClassification, incidentCategory } from './incident.entity';
import { CaseError } from './cases.errors';
import { Purpose } from '../sharing/purposes';

/** The answer to a write: `created` false means a repeated push answered with the incident recorded before. */
export interface IncidentOutcome {
  created: boolean;
  incident: Partial<IncidentView>;
}

const PURPOSE_WRITE = Purpose.CaseRegistration;
const PURPOSE_READ = Purpose.CaseDiscussion;
const REFERENCE_KEY = 'incident_source_external_reference_key';
const WRITE = { permission: Permission.IncidentWrite, operation: 'incident.create' };

/** Police and prosecution register suspected offences; everyone else registers nuisance unless they say otherwise. */
export const defaultClassification = (type: OrganisationType): IncidentClassification =>
  type === 'POLICE' || type === 'OM' ? 'offence' : 'nuisance';

/**
 * Inside the write's transaction: the case is still at the table the access was resolved for (a transfer may
 * have moved it meanwhile; the share lock holds one off until this write commits) and it is not closed (its
 * data waits for erasure; reopening is a deliberate act).
 */
export async function requireCaseStillOpen(m: EntityManager, access: CaseAccess): Promise<void> {
  const [row] = await m.query(`SELECT status, table_id FROM case_file WHERE id = $1 FOR SHARE`, [access.caseId]);
  if (!row || row.table_id !== access.tableId) throw notFound('Case');
  if (row.status === 'closed') throw new DomainException(HttpStatus.CONFLICT, CaseError.CaseClosed, 'The case is closed; reopen it before recording anything on it.');
}

const isReferenceTaken = (e: unknown) =>
  e instanceof QueryFailedError && (e.driverError as { code?: string; constraint?: string }).constraint === REFERENCE_KEY;

@Injectable()
export class IncidentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly rules: EscalationRuleService,
    private readonly clock: Clock,
  ) {}

  async createForCase(ctx: RequestContext, caseId: string, dto: CreateIncidentDto): Promise<IncidentOutcome> {
    const access = await this.access.require(ctx, 'case', caseId, WRITE);
    return this.record(ctx, access, dto);
  }

  /** A push names the case by reference or by table and V-number; unknown and invisible are the same 404. */
  async push(ctx: RequestContext, dto: PushIncidentDto): Promise<IncidentOutcome> {
    if (ctx.principal.kind === 'client' && dto.externalReference === undefined) {
      throw new ValidationProblem([{ name: 'externalReference', reason: 'is required for partner systems' }]);
    }
    const [row] = dto.caseReference !== undefined
      ? await this.dataSource.query(`SELECT id FROM case_file WHERE reference = $1`, [dto.caseReference])
      : await this.dataSource.query(
          `SELECT c.id FROM case_file c JOIN subject s ON s.id = c.subject_id
            WHERE c.table_id = $1 AND s.v_number = $2 AND c.status <> 'closed'`,
          [dto.tableId, dto.vNumber],
        );
    // A case that does not exist goes through the same refusal (and audit entry) as one the caller may not see.
    const access = await this.access.require(ctx, 'case', row?.id, WRITE);
    const { caseReference: _r, tableId: _t, vNumber: _v, ...fields } = dto;
    return this.record(ctx, access, fields);
  }

  /**
   * A page of the case's incidents, latest occurred first: a keyset page on (occurred_at, id), which
   * incident_case_page_idx serves, since a person's incidents keep coming for as long as the case runs.
   */
  async list(ctx: RequestContext, caseId: string, q: PageQueryDto): Promise<Page<Partial<IncidentView>>> {
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, [CURSOR_TIMESTAMP, CURSOR_UUID]);
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'case', caseId, { permission: Permission.IncidentRead, operation: 'incident.list' }, m);
      const classifications = INCIDENT_CLASSIFICATIONS.filter((c) => access.categories.has(incidentCategory(c)));
      // Records of a category the viewer is not granted are not fetched at all, so they cannot leak.
      const rows = classifications.length ? await this.findPage(m, caseId, classifications, limit + 1, after) : [];
      const page = pageOf(rows, limit, (r) => [r.cursorAt, r.incident.id], (r) => r.incident);
      const disclosed = [...new Set(page.items.map((r) => incidentCategory(r.classification)))];
      await this.log.record(m, ctx, access, {
        operation: 'incident.list',
        activityCategory: disclosed[0] ?? (access.categories.has('incidents') ? 'incidents' : 'criminal'),
        categories: disclosed,
        subjects: [access],
        purpose: PURPOSE_READ,
        startedAt,
      });
      return { items: page.items.map((r) => toView(r, access)), nextCursor: page.nextCursor };
    });
  }

  private async findPage(m: EntityManager, caseId: string, classifications: IncidentClassification[], limit: number, after?: unknown[]) {
    const qb = m
      .createQueryBuilder(Incident, 'i')
      // The cursor holds occurred_at to the microsecond: a JS Date keeps milliseconds only.
      .addSelect(`to_char(i.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'cursor_at')
      .where('i.case_id = :caseId', { caseId })
      .andWhere('i.classification IN (:...classifications)', { classifications })
      .orderBy('i.occurred_at', 'DESC')
      .addOrderBy('i.id', 'DESC')
      .limit(limit);
    if (after) qb.andWhere('(i.occurred_at, i.id) < (CAST(:at AS timestamptz), CAST(:id AS uuid))', { at: after[0], id: after[1] });
    const { entities, raw } = await qb.getRawAndEntities<{ cursor_at: string }>();
    return entities.map((incident, i) => ({ incident, cursorAt: raw[i].cursor_at }));
  }

  async get(ctx: RequestContext, id: string): Promise<Partial<IncidentView>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      // The resolver answers an incident of a category the caller is not granted like a missing one.
      const access = await this.access.require(ctx, 'incident', id, { permission: Permission.IncidentRead, operation: 'incident.read' }, m);
      const incident = (await m.findOneBy(Incident, { id }))!;
      const category = incidentCategory(incident.classification);
      await this.log.record(m, ctx, access, { operation: 'incident.read', activityCategory: category, categories: [category], subjects: [access], purpose: PURPOSE_READ, startedAt });
      return toView(incident, access);
    });
  }

  private async record(ctx: RequestContext, access: CaseAccess, dto: CreateIncidentDto): Promise<IncidentOutcome> {
    const startedAt = this.clock.now();
    const p = ctx.principal;
    const classification = dto.classification ?? defaultClassification(p.organisationType);
    const category = incidentCategory(classification);
    await this.access.requireCategories(ctx, access, [category], 'incident.create');
    const requestHash = hashRequest(access.caseId, classification, dto);
    const reference = dto.externalReference;
    if (reference !== undefined) {
      const existing = await this.findByReference(p.organisationId, reference);
      if (existing) return this.repeat(ctx, access, existing, requestHash, startedAt);
    }
    try {
      const saved = await this.dataSource.transaction(async (m) => {
        await requireCaseStillOpen(m, access);
        const incident = await m.save(
          m.create(Incident, {
            caseId: access.caseId,
            sourceOrganisationId: p.organisationId,
            kind: dto.kind,
            classification,
            severity: dto.severity,
            occurredAt: new Date(dto.occurredAt),
            place: dto.place ?? null,
            description: dto.description ?? null,
            reportedToPolice: dto.reportedToPolice ?? false,
            victimKind: dto.victimKind ?? null,
            externalReference: reference ?? null,
            requestHash,
            recordedByUserId: p.kind === 'user' ? p.id : null,
            recordedByClientId: p.kind === 'client' ? p.id : null,
            // The Clock's, not the column default: "new since the last meeting" compares it with the meeting's close.
            createdAt: this.clock.now(),
          }),
        );
        await this.log.record(m, ctx, access, { operation: 'incident.create', activityCategory: category, categories: [category], subjects: [access], purpose: PURPOSE_WRITE, startedAt });
        await this.rules.onIncidentRecorded(m, ctx, access, incident);
        return incident;
      });
      return { created: true, incident: toView(saved, access) };
    } catch (e) {
      // Two identical pushes raced: the loser's insert hit the unique key; answer it as the repeat it is.
      if (reference === undefined || !isReferenceTaken(e)) throw e;
      const existing = await this.findByReference(p.organisationId, reference);
      if (!existing) throw e;
      return this.repeat(ctx, access, existing, requestHash, startedAt);
    }
  }

  /** The same reference again: identical content is answered with what was stored (a read, so logged); other content is a conflict. */
  private async repeat(ctx: RequestContext, access: CaseAccess, existing: Incident, requestHash: string, startedAt: Date): Promise<IncidentOutcome> {
    // The hash covers the case, so equal hashes also mean the stored incident belongs to the case just resolved.
    if (existing.requestHash !== requestHash) {
      throw conflict(CaseError.ExternalReferenceConflict, 'Your organisation recorded an incident with this externalReference before, with different content; it was not changed.');
    }
    const category = incidentCategory(existing.classification);
    await this.dataSource.transaction((m) =>
      this.log.record(m, ctx, access, { operation: 'incident.create.repeat', activityCategory: category, categories: [category], subjects: [access], purpose: PURPOSE_WRITE, startedAt }),
    );
    return { created: false, incident: toView(existing, access) };
  }

  private findByReference(organisationId: string, externalReference: string): Promise<Incident | null> {
    return this.dataSource.manager.findOneBy(Incident, { sourceOrganisationId: organisationId, externalReference });
  }
}

/** A stable hash of the normalised request: defaults applied, the instant in UTC, the case resolved to its id. */
export function hashRequest(caseId: string, classification: IncidentClassification, dto: CreateIncidentDto): string {
  const normalised = [
    'v1',
    caseId,
    dto.kind,
    classification,
    dto.severity,
    new Date(dto.occurredAt).toISOString(),
    dto.place ?? null,
    dto.description ?? null,
    dto.reportedToPolice ?? false,
    dto.victimKind ?? null,
    dto.externalReference ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(normalised)).digest('hex');
}

function toView(i: Incident, access: { categories: ReadonlySet<Category> }): Partial<IncidentView> {
  const category = incidentCategory(i.classification);
  const view: IncidentView = {
    id: i.id,
    caseId: i.caseId,
    category,
    sourceOrganisationId: i.sourceOrganisationId,
    kind: i.kind,
    classification: i.classification,
    severity: i.severity,
    occurredAt: i.occurredAt.toISOString(),
    place: i.place,
    description: i.description,
    reportedToPolice: i.reportedToPolice,
    victimKind: i.victimKind,
    externalReference: i.externalReference,
    createdAt: i.createdAt.toISOString(),
  };
  return disclose(IncidentView, view, access.categories, category);
}
