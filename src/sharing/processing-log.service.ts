import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import type { RequestContext } from '../common/request-context';
import type { TableAccess } from './access.service';
import type { Category } from './categories';
import type { AuditDetailDto } from './log.dto';
import { prepared } from '../db/prepared';
import { pseudonymise } from './pseudonym';
import { Purpose } from './purposes';

/** What an audited operation asked for (a filter), stored beside its audit entry. Never personal data in clear. */
export type AuditDetail = AuditDetailDto;

/** The privacy officer's supervision of the processing (art. 39(1)(b) AVG). */
export const SUPERVISION_LEGAL_BASIS = 'Art. 39 lid 1 sub b AVG (toezicht door de functionaris gegevensbescherming)';

export interface TouchedSubject {
  subjectId: string;
  vNumber: string;
}

export interface ProcessingRecord {
  /** A stable operation name, e.g. `case.read`, `incident.create`. */
  operation: string;
  /** The category whose covenant grant (and processing activity) this operation is performed under. */
  activityCategory: Category;
  /** All categories the operation read or wrote for these subjects. */
  categories: Category[];
  subjects: TouchedSubject[];
  /** Why, from the fixed set (labelled in Dutch for readers of the log). */
  purpose: Purpose;
  startedAt: Date;
  status?: 'ok' | 'error' | 'denied';
  /** What the audit entry should say besides (e.g. the reference of a data-subject request); never personal data. */
  detail?: AuditDetail;
}

/**
 * Writes the processing log (one entry per data subject, LDV-shaped, no user identity) and the audit log
 * (one entry per operation, who did it), linked by operation id. Always called with the transaction of
 * the change itself, or for a read with a transaction committed before the response is sent.
 * Both inserts are single statements, whatever the number of subjects.
 *
 * Every timestamp in both logs (started_at, ended_at, occurred_at) comes from the Clock, the same "now" the
 * operation itself decided with: in production the Clock is the real time, so the logs say when processing
 * really happened; in a test that moves the clock, an entry lines up with the domain rows it records (an
 * action created "on Good Friday" is logged on Good Friday) instead of mixing two timelines in one operation.
 * The column defaults (DEFAULT now()) remain only as a fallback.
 */
@Injectable()
export class ProcessingLogService {
  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async record(m: EntityManager, ctx: RequestContext, access: TableAccess, rec: ProcessingRecord): Promise<string> {
    const operationId = randomUUID();
    const { text, values } = recordStatement(this.config.PSEUDONYM_KEY, ctx, access, rec, operationId, this.clock.now());
    await prepared(m, text, values);
    return operationId;
  }

  /**
   * An operation outside any table, such as the privacy officer looking a V-number up in the processing
   * log: no covenant applies, so there is no processing activity or table. Like `record`, one processing
   * entry per subject (so the subject's own history shows the lookup) and one audit entry.
   */
  async recordWithoutTable(
    m: EntityManager,
    ctx: RequestContext,
    rec: { operation: string; vNumbers: string[]; purpose: Purpose; legalBasis?: string | null; startedAt: Date; detail?: AuditDetail },
  ): Promise<string> {
    const operationId = randomUUID();
    const hashes = [...new Set(rec.vNumbers.map((v) => pseudonymise(this.config.PSEUDONYM_KEY, v)))];
    await this.write(
      m,
      ctx,
      { operationId, status: 'ok', startedAt: rec.startedAt, activityId: null, subjectIds: hashes, apiClientId: ctx.principal.kind === 'client' ? ctx.principal.id : null, tableId: null },
      {
        operationId,
        action: rec.operation,
        result: 'allowed',
        role: null,
        categories: [],
        purpose: rec.purpose,
        legalBasis: rec.legalBasis ?? null,
        tableId: null,
        subjectCount: hashes.length,
        detail: rec.detail,
      },
    );
    return operationId;
  }

  /**
   * The privacy officer reading the logs or an access review: reading the audit log is itself audited. One
   * audit entry, with what was asked for in `audit_log_detail` (never personal data in clear); no processing
   * entry, since no data subject's data is read.
   */
  async recordSupervision(m: EntityManager, ctx: RequestContext, rec: { operation: string; tableId: string | null; detail: AuditDetail }): Promise<string> {
    const operationId = randomUUID();
    await this.write(m, ctx, undefined, {
      operationId,
      action: rec.operation,
      result: 'allowed',
      role: null,
      categories: [],
      purpose: Purpose.Supervision,
      legalBasis: SUPERVISION_LEGAL_BASIS,
      tableId: rec.tableId,
      subjectCount: 0,
      detail: rec.detail,
    });
    return operationId;
  }

  /**
   * An operation the system performed itself, such as an escalation rule proposing or the chain
   * automation creating an action, prompted by `traceId`'s request: one processing entry per subject
   * under the table's own processing activity of `activityCategory`, and an audit entry with actor kind
   * `system` and no user, organisation, role or IP (no person decided it).
   */
  async recordBySystem(m: EntityManager, traceId: string, tableId: string, rec: Omit<ProcessingRecord, 'status'>): Promise<string> {
    const operationId = randomUUID();
    const unique = [...new Map(rec.subjects.map((s) => [s.subjectId, s])).values()];
    await this.write(
      m,
      { traceId },
      {
        operationId,
        status: 'ok',
        startedAt: rec.startedAt,
        activityId: { tableId, category: rec.activityCategory },
        subjectIds: unique.map((s) => pseudonymise(this.config.PSEUDONYM_KEY, s.vNumber)),
        apiClientId: null,
        tableId,
      },
      {
        operationId,
        action: rec.operation,
        result: 'allowed',
        role: null,
        categories: rec.categories,
        purpose: rec.purpose,
        legalBasis: null,
        tableId,
        subjectCount: unique.length,
      },
    );
    return operationId;
  }

  /** A refused attempt, committed on its own (the refused operation's transaction never commits). */
  async recordDenied(ctx: RequestContext, action: string, detail: { tableId?: string | null; role?: string | null } = {}): Promise<void> {
    await this.write(this.dataSource.manager, ctx, undefined, {
      operationId: randomUUID(),
      action,
      result: 'denied',
      role: detail.role ?? null,
      categories: [],
      purpose: null,
      legalBasis: null,
      tableId: detail.tableId ?? null,
      subjectCount: 0,
    });
  }

  /** Prepared: a handful of texts (with or without subjects, detail, the system's activity lookup). */
  private async write(m: EntityManager, ctx: LogContext, processing: ProcessingEntries | undefined, e: AuditEntry): Promise<void> {
    const { text, values } = logStatement(ctx, processing, e, this.clock.now());
    await prepared(m, text, values);
  }
}

interface ProcessingEntries {
  operationId: string;
  status: string;
  startedAt: Date;
  /** The grant's processing activity, or (for the system) the table's activity of a category, looked up in the statement. */
  activityId: string | null | { tableId: string; category: Category };
  /** Pseudonymised subjects, unique. */
  subjectIds: string[];
  apiClientId: string | null;
  tableId: string | null;
}

interface AuditEntry {
  operationId: string;
  action: string;
  result: 'allowed' | 'denied' | 'error';
  role: string | null;
  categories: Category[];
  purpose: Purpose | null;
  legalBasis: string | null;
  tableId: string | null;
  subjectCount: number;
  detail?: AuditDetail;
}

/** Who and which request a log statement records; without a principal, the system itself. */
type LogContext = Pick<RequestContext, 'traceId'> & Partial<RequestContext>;

/**
 * The statement `record` runs: what an operation under a table's covenant writes to both logs. A pure
 * function of its inputs, so that the benchmark's bare handler runs exactly the application's SQL.
 */
export function recordStatement(
  pseudonymKey: string,
  ctx: LogContext,
  access: Pick<TableAccess, 'tableId' | 'role' | 'grants'>,
  rec: ProcessingRecord,
  operationId: string,
  now: Date,
): { text: string; values: unknown[] } {
  const grant = access.grants.get(rec.activityCategory);
  const status = rec.status ?? 'ok';
  const unique = [...new Map(rec.subjects.map((s) => [s.subjectId, s])).values()];
  const bases = [...new Set(rec.categories.map((c) => access.grants.get(c)?.legalBasis).filter(Boolean))];
  return logStatement(
    ctx,
    {
      operationId,
      status,
      startedAt: rec.startedAt,
      activityId: grant?.processingActivityId ?? null,
      subjectIds: unique.map((s) => pseudonymise(pseudonymKey, s.vNumber)),
      apiClientId: ctx.principal?.kind === 'client' ? ctx.principal.id : null,
      tableId: access.tableId,
    },
    {
      operationId,
      action: rec.operation,
      result: status === 'denied' ? 'denied' : status === 'error' ? 'error' : 'allowed',
      role: access.role,
      categories: rec.categories,
      purpose: rec.purpose,
      legalBasis: bases.join(' | ') || null,
      tableId: access.tableId,
      subjectCount: unique.length,
      detail: rec.detail,
    },
    now,
  );
}

/**
 * One statement for a whole log record: the processing entries (one per subject, none for none), the audit
 * entry and its detail, as data-modifying CTEs, so that a logged operation costs one round trip for its logs.
 */
function logStatement(ctx: LogContext, processing: ProcessingEntries | undefined, e: AuditEntry, now: Date): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const v = (value: unknown) => `$${values.push(value)}`;
  const ctes: string[] = [];
  if (processing && processing.subjectIds.length) {
    const activity =
      processing.activityId && typeof processing.activityId === 'object'
        ? `(SELECT id FROM processing_activity WHERE table_id = ${v(processing.activityId.tableId)} AND category = ${v(processing.activityId.category)})`
        : `${v(processing.activityId)}::uuid`;
    ctes.push(`processing AS (
      INSERT INTO processing_log (trace_id, operation_id, operation_name, status, started_at, ended_at,
                                  processing_activity_id, data_subject_id, api_client_id, table_id)
      SELECT ${v(ctx.traceId)}, ${v(processing.operationId)}::uuid, ${v(e.action)}, ${v(processing.status)}, ${v(processing.startedAt)}::timestamptz,
             ${v(now)}::timestamptz, ${activity}, unnest(${v(processing.subjectIds)}::text[]), ${v(processing.apiClientId)}::uuid, ${v(processing.tableId)}::uuid)`);
  }
  if (e.detail) ctes.push(`detail AS (INSERT INTO audit_log_detail (operation_id, detail) VALUES (${v(e.operationId)}::uuid, ${v(JSON.stringify(e.detail))}::jsonb))`);
  const p = ctx.principal;
  const actor = p
    ? { kind: p.kind, id: p.id, organisationId: p.organisationId, role: e.role ?? (p.kind === 'client' ? 'partner_system' : (p.roles[0] ?? null)) }
    : { kind: 'system', id: null, organisationId: null, role: null };
  const audit = `INSERT INTO audit_log (trace_id, operation_id, actor_kind, actor_id, organisation_id, role, origin_ip, action, result,
                                        categories, purpose, legal_basis, table_id, subject_count, occurred_at)
     VALUES (${[
       ctx.traceId, e.operationId, actor.kind, actor.id, actor.organisationId, actor.role, ctx.ip ?? null, e.action, e.result,
       e.categories, e.purpose, e.legalBasis, e.tableId, e.subjectCount, now,
     ].map(v).join(', ')})`;
  return { text: ctes.length ? `WITH ${ctes.join(',\n     ')}\n${audit}` : audit, values };
}
