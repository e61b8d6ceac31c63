import { Purpose } from '../sharing/purposes';
import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainException, notFound, ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { Keyset } from '../common/list-query';
import { DEFAULT_PAGE_SIZE, Page, pageOf } from '../common/pagination';
import { LEGAL_HOLD_ORDER, LegalHoldDto, LegalHoldView, LiftLegalHoldDto, ListLegalHoldsQuery } from './privacy.dto';
import { PrivacyError } from './privacy.errors';

interface HoldRow {
  id: string;
  case_id: string;
  case_reference: string;
  reason: string;
  ends_on: string;
  standing: boolean;
  set_by_user_id: string;
  set_at: Date;
  lifted_by_user_id: string | null;
  lifted_at: Date | null;
  lift_reason: string | null;
}

/** SQL: a hold that stands on `today` (a parameter holding the Clock's date in Amsterdam). */
export const holdStands = (alias: string, today: string) => `(${alias}.lifted_at IS NULL AND ${alias}.ends_on >= ${today}::date)`;

const SELECT = (today: string, extra = '') => `
  SELECT h.id, h.case_id, c.reference AS case_reference, h.reason, h.ends_on::text AS ends_on, ${holdStands('h', today)} AS standing,
         h.set_by_user_id, h.set_at, h.lifted_by_user_id, h.lifted_at, h.lift_reason${extra}
    FROM legal_hold h JOIN case_file c ON c.id = h.case_id`;

const view = (r: HoldRow): LegalHoldView => ({
  id: r.id,
  caseId: r.case_id,
  caseReference: r.case_reference,
  reason: r.reason,
  endsOn: r.ends_on,
  standing: r.standing,
  setByUserId: r.set_by_user_id,
  setAt: new Date(r.set_at).toISOString(),
  liftedByUserId: r.lifted_by_user_id,
  liftedAt: r.lifted_at && new Date(r.lifted_at).toISOString(),
  liftReason: r.lift_reason,
});


/**
 * Legal holds (DOMAIN.md section 7: "a legal hold stops erasure"): set on a case with a reason and an end
 * date by the privacy officer, lifted by them (recorded, never deleted). While one stands (not lifted, the end
 * date not passed) neither the retention sweep nor an erasure request erases anything of the case. Setting and
 * lifting are written to both logs, under the person's keyed hash.
 */
@Injectable()
export class LegalHoldService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: ProcessingLogService,
    private readonly clock: Clock,
  ) {}

  async set(ctx: RequestContext, dto: LegalHoldDto): Promise<LegalHoldView> {
    const startedAt = this.clock.now();
    const today = this.clock.today();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dto.endsOn) || Number.isNaN(Date.parse(`${dto.endsOn}T00:00:00Z`)) || new Date(`${dto.endsOn}T00:00:00Z`).toISOString().slice(0, 10) !== dto.endsOn) {
      throw new ValidationProblem([{ name: 'endsOn', reason: 'must be a calendar date (YYYY-MM-DD)' }]);
    }
    if (dto.endsOn < today) throw new ValidationProblem([{ name: 'endsOn', reason: 'must be today or later' }]);
    return this.dataSource
      .transaction(async (m) => {
        const c = await this.lockCase(m, dto.caseId);
        if (c.erased_at) throw new DomainException(HttpStatus.CONFLICT, PrivacyError.CaseAlreadyErased, 'The personal data of this case was erased already; there is nothing left to hold.');
        const [open] = await m.query(`SELECT id FROM legal_hold WHERE case_id = $1 AND lifted_at IS NULL`, [dto.caseId]);
        if (open) throw holdExists(open.id);
        const [row] = await m.query(
          `INSERT INTO legal_hold (case_id, reason, ends_on, set_by_user_id, set_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [dto.caseId, dto.reason, dto.endsOn, ctx.principal.id, this.clock.now()],
        );
        await this.log.recordWithoutTable(m, ctx, { operation: 'legal_hold.set', vNumbers: [c.v_number], purpose: Purpose.Retention, legalBasis: 'Art. 17 lid 3 sub e AVG', startedAt });
        return this.find(m, row.id, today);
      })
      .catch((e: unknown) => {
        // Two holds set at once: the partial unique index decides, and the loser is told as if it came second.
        if (e instanceof QueryFailedError && (e.driverError as { constraint?: string }).constraint === 'legal_hold_case_open_key') throw holdExists();
        throw e;
      });
  }

  async lift(ctx: RequestContext, holdId: string, dto: LiftLegalHoldDto): Promise<LegalHoldView> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const [hold] = await m.query(
        `SELECT h.id, h.lifted_at, s.v_number FROM legal_hold h JOIN case_file c ON c.id = h.case_id JOIN subject s ON s.id = c.subject_id WHERE h.id = $1 FOR UPDATE OF h`,
        [holdId],
      );
      if (!hold) throw notFound('Legal hold');
      if (hold.lifted_at) throw new DomainException(HttpStatus.CONFLICT, PrivacyError.LegalHoldLifted, 'This legal hold was lifted already.');
      await m.query(`UPDATE legal_hold SET lifted_at = $2, lifted_by_user_id = $3, lift_reason = $4 WHERE id = $1`, [holdId, this.clock.now(), ctx.principal.id, dto.reason]);
      await this.log.recordWithoutTable(m, ctx, { operation: 'legal_hold.lift', vNumbers: [hold.v_number], purpose: Purpose.Retention, legalBasis: 'Art. 17 lid 3 sub e AVG', startedAt });
      return this.find(m, holdId, this.clock.today());
    });
  }

  async list(q: ListLegalHoldsQuery): Promise<Page<LegalHoldView>> {
    const today = this.clock.today();
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const keyset = new Keyset(LEGAL_HOLD_ORDER, '-setAt', 'h.id');
    const params: unknown[] = [q.caseId ?? null, q.standing === undefined ? null : q.standing === 'true', today];
    const after = keyset.after(q.cursor, params);
    const rows: (HoldRow & { sort_key: string })[] = await this.dataSource.query(
      `${SELECT('$3', `, ${keyset.keySql} AS sort_key`)} WHERE ($1::uuid IS NULL OR h.case_id = $1) AND ($2::boolean IS NULL OR ${holdStands('h', '$3')} = $2)` +
        `${after ? ` AND ${after}` : ''} ORDER BY ${keyset.orderBy} LIMIT $${params.push(limit + 1)}`,
      params,
    );
    return pageOf(rows, limit, keyset.positionOf, view);
  }

  /** The person's cases under a hold that stands today, for the erasure request's refusal. */
  async standingForSubject(m: EntityManager, subjectId: string, today: string): Promise<{ caseId: string; reference: string; endsOn: string }[]> {
    return m.query(
      `SELECT c.id AS "caseId", c.reference, h.ends_on::text AS "endsOn"
         FROM legal_hold h JOIN case_file c ON c.id = h.case_id
        WHERE c.subject_id = $1 AND ${holdStands('h', '$2')} ORDER BY c.reference`,
      [subjectId, today],
    );
  }

  private async lockCase(m: EntityManager, caseId: string): Promise<{ erased_at: Date | null; v_number: string }> {
    const [row] = await m.query(`SELECT c.erased_at, s.v_number FROM case_file c JOIN subject s ON s.id = c.subject_id WHERE c.id = $1 FOR UPDATE OF c`, [caseId]);
    if (!row) throw notFound('Case');
    return row;
  }

  private async find(m: EntityManager, id: string, today: string): Promise<LegalHoldView> {
    const [row]: HoldRow[] = await m.query(`${SELECT('$2')} WHERE h.id = $1`, [id, today]);
    return view(row);
  }
}

const holdExists = (holdId?: string) =>
  new DomainException(HttpStatus.CONFLICT, PrivacyError.LegalHoldExists, 'A legal hold stands on this case already; lift it before setting another.', holdId ? { legalHoldId: holdId } : {});
