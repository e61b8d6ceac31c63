import { Purpose } from '../sharing/purposes';
import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SUBJECT_FIELDS, pick } from '../cases/case-support';
import { Clock } from '../common/clock';
import { DomainException, ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { AppConfig } from '../config/app-config';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { pseudonymise } from '../sharing/pseudonym';
import { SharingError } from '../sharing/sharing.errors';
import type { RequestKind } from './data-subject-request.entity';
import { ErasureService } from './erasure.service';
import { LegalHoldService } from './legal-hold.service';
import { Keyset } from '../common/list-query';
import { DEFAULT_PAGE_SIZE, Page, pageOf } from '../common/pagination';
import { AccessExportView, DataSubjectRequestView, ListRequestsQuery, RectificationDto, REQUEST_ORDER, RestrictionView, SubjectRequestDto } from './privacy.dto';
import { PrivacyError } from './privacy.errors';
import { SubjectExportRepository } from './subject-export.repository';

/** The article of the AVG each kind of request rests on, for the logs' legal basis. */
const ARTICLE: Record<RequestKind, string> = {
  access: 'Art. 15 AVG (recht van inzage)',
  rectification: 'Art. 16 AVG (recht op rectificatie)',
  restriction: 'Art. 18 AVG (recht op beperking van de verwerking)',
  lifting: 'Art. 18 lid 3 AVG (opheffing van de beperking)',
  erasure: 'Art. 17 AVG (recht op vergetelheid)',
};

interface RequestRow {
  id: string;
  kind: RequestKind;
  reference: string;
  reason: string;
  subject_id: string | null;
  handled_by_user_id: string;
  operation_id: string;
  outcome: Record<string, unknown>;
  handled_at: Date;
}

const iso = (d: Date | string) => new Date(d).toISOString();

const requestView = (r: RequestRow): DataSubjectRequestView => ({
  id: r.id,
  kind: r.kind,
  reference: r.reference,
  reason: r.reason,
  subjectId: r.subject_id,
  handledByUserId: r.handled_by_user_id,
  operationId: r.operation_id,
  outcome: r.outcome,
  handledAt: iso(r.handled_at),
});

const unknownSubject = () => new DomainException(HttpStatus.NOT_FOUND, PrivacyError.SubjectUnknown, 'No person with this V-number is held.');

/**
 * The privacy officer's handling of data-subject requests (DOMAIN.md section 7, art. 15–18 AVG), outside any
 * table's covenant. Each request is recorded (`data_subject_request`: kind, reference, reason, who, when, what
 * it did; the person by subject id, never by V-number) and written to both logs in the same transaction: the
 * processing log under the person's keyed hash (so their own access export shows it), the audit log with the
 * privacy officer, the request's reference in the purpose, and the article of the AVG as legal basis.
 */
@Injectable()
export class DataSubjectRequestService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly log: ProcessingLogService,
    private readonly exports: SubjectExportRepository,
    private readonly erasure: ErasureService,
    private readonly holds: LegalHoldService,
    private readonly clock: Clock,
  ) {}

  /** Art. 15: everything held on the V-number across tables, and from the processing log who processed it, when and why. */
  async access(ctx: RequestContext, dto: SubjectRequestDto): Promise<AccessExportView> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const subject = await this.exports.findSubject(m, dto.vNumber);
      const cases = subject ? await this.exports.findCases(m, subject.id) : [];
      const processing = await this.exports.findProcessing(m, pseudonymise(this.config.PSEUDONYM_KEY, dto.vNumber));
      const requests = subject ? await this.exports.findRequests(m, subject.id) : [];
      const request = await this.record(m, ctx, 'access', dto, subject?.id ?? null, { found: !!subject, cases: cases.length, processing: processing.length }, startedAt);
      return { request, generatedAt: iso(this.clock.now()), found: !!subject, subject: subject ?? null, cases, processing, requests } as unknown as AccessExportView;
    });
  }

  /** Art. 16: the person's identity and residence fields, as the request says they are. */
  async rectify(ctx: RequestContext, dto: RectificationDto): Promise<DataSubjectRequestView> {
    const startedAt = this.clock.now();
    const fields = pick(dto, SUBJECT_FIELDS);
    if (!Object.keys(fields).length) throw new ValidationProblem([{ name: 'body', reason: `names no field to rectify (one of ${SUBJECT_FIELDS.join(', ')})` }]);
    return this.dataSource.transaction(async (m) => {
      const subject = await this.lockSubject(m, dto.vNumber);
      const set = Object.keys(fields).map((k, i) => `${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)} = $${i + 2}`);
      await m.query(`UPDATE subject SET ${set.join(', ')}, updated_at = now() WHERE id = $1`, [subject.id, ...Object.values(fields)]);
      return this.record(m, ctx, 'rectification', dto, subject.id, { fields: Object.keys(fields) }, startedAt);
    });
  }

  /** Art. 18: from now on the person's data is stored only; nobody at any table reads or writes it. */
  async restrict(ctx: RequestContext, dto: SubjectRequestDto): Promise<RestrictionView> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const subject = await this.lockSubject(m, dto.vNumber);
      if (subject.restricted_at) throw new DomainException(HttpStatus.CONFLICT, PrivacyError.AlreadyRestricted, "The person's processing is restricted already.");
      const at = this.clock.now();
      await m.query(`UPDATE subject SET restricted_at = $2, updated_at = now() WHERE id = $1`, [subject.id, at]);
      const request = await this.record(m, ctx, 'restriction', dto, subject.id, {}, startedAt);
      return { ...request, restrictedAt: iso(at) };
    });
  }

  /** Art. 18(3): the restriction ends; everything is processed as before. */
  async lift(ctx: RequestContext, dto: SubjectRequestDto): Promise<RestrictionView> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const subject = await this.lockSubject(m, dto.vNumber);
      if (!subject.restricted_at) throw new DomainException(HttpStatus.CONFLICT, PrivacyError.NotRestricted, "The person's processing is not restricted.");
      await m.query(`UPDATE subject SET restricted_at = NULL, updated_at = now() WHERE id = $1`, [subject.id]);
      const request = await this.record(m, ctx, 'lifting', dto, subject.id, { restrictedSince: iso(subject.restricted_at) }, startedAt);
      return { ...request, restrictedAt: null };
    });
  }

  /**
   * Art. 17: the person and every case of theirs erased at once (see ErasureService), unless a legal hold
   * stands on one of the cases (409, naming the cases) or the processing is restricted (lift that first).
   */
  async erase(ctx: RequestContext, dto: SubjectRequestDto): Promise<DataSubjectRequestView> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const subject = await this.lockSubject(m, dto.vNumber);
      if (subject.restricted_at) {
        throw new DomainException(HttpStatus.CONFLICT, SharingError.SubjectRestricted, "The person's processing is restricted: lift the restriction before erasing (it may have been asked to keep the data).");
      }
      // The cases are locked before the holds are read: a hold set meanwhile waits for this erasure, then finds the case erased.
      await this.erasure.lockCases(m, { subjectId: subject.id });
      const held = await this.holds.standingForSubject(m, subject.id, this.clock.today());
      if (held.length) {
        throw new DomainException(HttpStatus.CONFLICT, PrivacyError.LegalHoldStands, 'A legal hold stands on a case of this person: nothing was erased. Lift the hold, or wait for its end date.', {
          cases: held,
        });
      }
      const userId = ctx.principal.kind === 'user' ? ctx.principal.id : null;
      const outcome = await this.erasure.eraseSubject(m, subject.id, this.clock.now(), userId);
      // Recorded under the V-number it had: the person's own processing history keeps the erasure.
      return this.record(m, ctx, 'erasure', dto, subject.id, { ...outcome }, startedAt);
    });
  }

  async list(q: ListRequestsQuery): Promise<Page<DataSubjectRequestView>> {
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const keyset = new Keyset(REQUEST_ORDER, '-handledAt', 'id');
    const params: unknown[] = [q.kind ?? null, q.reference ?? null];
    const after = keyset.after(q.cursor, params);
    const rows: (RequestRow & { sort_key: string })[] = await this.dataSource.query(
      `SELECT *, ${keyset.keySql} AS sort_key FROM data_subject_request
        WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR reference = $2)${after ? ` AND ${after}` : ''}
        ORDER BY ${keyset.orderBy} LIMIT $${params.push(limit + 1)}`,
      params,
    );
    return pageOf(rows, limit, keyset.positionOf, requestView);
  }

  private async lockSubject(m: EntityManager, vNumber: string): Promise<{ id: string; restricted_at: Date | null }> {
    const [row] = await m.query(`SELECT id, restricted_at FROM subject WHERE v_number = $1 AND erased_at IS NULL FOR UPDATE`, [vNumber]);
    if (!row) throw unknownSubject();
    return row;
  }

  /** Writes both logs and the request, in the caller's transaction. */
  private async record(
    m: EntityManager,
    ctx: RequestContext,
    kind: RequestKind,
    dto: SubjectRequestDto,
    subjectId: string | null,
    outcome: Record<string, unknown>,
    startedAt: Date,
  ): Promise<DataSubjectRequestView> {
    const operationId = await this.log.recordWithoutTable(m, ctx, {
      operation: `data_subject_request.${kind}`,
      vNumbers: [dto.vNumber],
      purpose: Purpose.DataSubjectRequest,
      legalBasis: ARTICLE[kind],
      startedAt,
      detail: { requestReference: dto.reference },
    });
    const [row]: RequestRow[] = await m.query(
      `INSERT INTO data_subject_request (kind, reference, reason, subject_id, handled_by_user_id, operation_id, outcome, handled_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [kind, dto.reference, dto.reason, subjectId, ctx.principal.id, operationId, JSON.stringify(outcome), this.clock.now()],
    );
    return requestView(row);
  }
}
