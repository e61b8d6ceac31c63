import { Page, PageQueryDto, pageOfBounded } from '../common/pagination';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DepartureInterviewService } from '../actions/departure-interview.service';
import { Permission } from '../auth/permissions';
import { Clock } from '../common/clock';
import { ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { AccessService, CaseAccess } from '../sharing/access.service';
import { disclose } from '../sharing/disclosure';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { IndDecisionView, RecordIndDecisionDto } from './ind-decision.dto';
import type { IndDecisionOutcome } from './ind-decision.entity';
import { requireCaseStillOpen } from './incident.service';
import { Purpose } from '../sharing/purposes';

interface IndDecisionRow {
  id: string;
  case_id: string;
  outcome: IndDecisionOutcome;
  decided_on: string;
  recorded_by_organisation_id: string;
  departure_action_id: string | null;
  created_at: Date;
}

/** The answer to a write: `created` false means the same decision was recorded before (nothing changed). */
export interface IndDecisionOutcomeView {
  created: boolean;
  decision: Partial<IndDecisionView>;
}

const COLUMNS = `id, case_id, outcome, decided_on::text AS decided_on, recorded_by_organisation_id, departure_action_id, created_at`;
const PURPOSE_WRITE = Purpose.CaseRegistration;
const PURPOSE_READ = Purpose.CaseDiscussion;
const RECORD = { permission: Permission.IndDecisionRecord, operation: 'ind_decision.record' };

const toView = (r: IndDecisionRow, access: CaseAccess): Partial<IndDecisionView> =>
  disclose(
    IndDecisionView,
    {
      id: r.id,
      caseId: r.case_id,
      outcome: r.outcome,
      decidedOn: r.decided_on,
      recordedByOrganisationId: r.recorded_by_organisation_id,
      departureActionId: r.departure_action_id,
      createdAt: new Date(r.created_at).toISOString(),
    },
    access.categories,
  );

/**
 * IND decisions on the asylum application (category procedure), recorded by a member organisation granted
 * `procedure` (in practice the IND, or DT&V at the handover) or its partner system. A decision is one row
 * per case, outcome and date: the same decision sent again answers with the one recorded, and only a new
 * negative decision starts the departure interview (DepartureInterviewService), in the same transaction.
 */
@Injectable()
export class IndDecisionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly departure: DepartureInterviewService,
    private readonly clock: Clock,
  ) {}

  async record(ctx: RequestContext, caseId: string, dto: RecordIndDecisionDto): Promise<IndDecisionOutcomeView> {
    if (dto.decidedOn > this.clock.today()) throw new ValidationProblem([{ name: 'decidedOn', reason: 'must not be after today (Europe/Amsterdam)' }]);
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'case', caseId, RECORD, m);
      await this.access.requireCategories(ctx, access, ['procedure'], RECORD.operation);
      await requireCaseStillOpen(m, access);
      const p = ctx.principal;
      // A repeat, also one racing this one, inserts nothing: the unique key waits for the other to commit.
      const [inserted]: IndDecisionRow[] = await m.query(
        `INSERT INTO ind_decision (case_id, outcome, decided_on, recorded_by_organisation_id, recorded_by_user_id, recorded_by_client_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT ON CONSTRAINT ind_decision_case_outcome_decided_on_key DO NOTHING
         RETURNING ${COLUMNS}`,
        [caseId, dto.outcome, dto.decidedOn, p.organisationId, p.kind === 'user' ? p.id : null, p.kind === 'client' ? p.id : null, startedAt],
      );
      if (!inserted) {
        const [existing]: IndDecisionRow[] = await m.query(`SELECT ${COLUMNS} FROM ind_decision WHERE case_id = $1 AND outcome = $2 AND decided_on = $3`, [
          caseId,
          dto.outcome,
          dto.decidedOn,
        ]);
        await this.logFor(m, ctx, access, 'ind_decision.record.repeat', PURPOSE_WRITE, startedAt);
        return { created: false, decision: toView(existing, access) };
      }
      let row = inserted;
      if (row.outcome === 'negative') {
        const actionId = await this.departure.onNegativeDecision(m, ctx, access);
        if (actionId) {
          await m.query(`UPDATE ind_decision SET departure_action_id = $2 WHERE id = $1`, [row.id, actionId]);
          row = { ...row, departure_action_id: actionId };
        }
      }
      await this.logFor(m, ctx, access, RECORD.operation, PURPOSE_WRITE, startedAt);
      return { created: true, decision: toView(row, access) };
    });
  }

  /** Newest first; without `procedure` nothing is fetched. */
  /** A few decisions per case, by design: paged in memory (pageOfBounded), after one read of them all. */
  async list(ctx: RequestContext, caseId: string, q: PageQueryDto): Promise<Page<Partial<IndDecisionView>>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'case', caseId, { permission: Permission.CaseRead, operation: 'ind_decision.list' }, m);
      const granted = access.categories.has('procedure');
      const rows: IndDecisionRow[] = granted
        ? await m.query(`SELECT ${COLUMNS} FROM ind_decision WHERE case_id = $1 ORDER BY decided_on DESC, created_at DESC, id`, [caseId])
        : [];
      await this.logFor(m, ctx, access, 'ind_decision.list', PURPOSE_READ, startedAt, granted);
      const page = pageOfBounded(rows, q, (r) => r.id);
      return { items: page.items.map((r) => toView(r, access)), nextCursor: page.nextCursor };
    });
  }

  private logFor(m: EntityManager, ctx: RequestContext, access: CaseAccess, operation: string, purpose: Purpose, startedAt: Date, touched = true) {
    return this.log.record(m, ctx, access, {
      operation,
      activityCategory: 'procedure',
      categories: touched ? ['procedure'] : [],
      subjects: [{ subjectId: access.subjectId, vNumber: access.vNumber }],
      purpose,
      startedAt,
    });
  }
}
