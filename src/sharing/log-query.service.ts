import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { label, PURPOSE_LABELS } from '../common/labels';
import { CURSOR_TIMESTAMP, decodeCursor, DEFAULT_PAGE_SIZE, Page, pageOf } from '../common/pagination';
import { ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { AuditDetailFilterDto, AuditLogEntryDto, AuditLogPageDto, AuditLogQueryDto, LogPageQuery, ProcessingLogEntryDto, ProcessingLogPageDto, ProcessingLogSearchDto } from './log.dto';
import { ProcessingLogService, SUPERVISION_LEGAL_BASIS } from './processing-log.service';
import { pseudonymise } from './pseudonym';
import { Purpose } from './purposes';

/** Recorded with every search of the processing log by V-number. */
export const LOG_SEARCH_PURPOSE = Purpose.Supervision;

/**
 * The position after the last row of a page (the shared codec of common/pagination.ts): its timestamp with
 * microseconds (a JS Date would drop them and skip or repeat rows) and its id (a bigint, as decimal text).
 */
const CURSOR_SHAPE = [CURSOR_TIMESTAMP, /^\d{1,19}$/];

/** Collects `column op $n` conditions with their parameters. */
class Where {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  add(sql: (p: string) => string, value: unknown): this {
    if (value === undefined || value === null) return this;
    this.params.push(value);
    this.conditions.push(sql(`$${this.params.length}`));
    return this;
  }

  /** Keyset: rows strictly older than the cursor, in (timestamp desc, id desc) order. */
  after(timeColumn: string, cursor?: string): this {
    if (!cursor) return this;
    const [at, id] = decodeCursor(cursor, CURSOR_SHAPE);
    this.params.push(at, id);
    const n = this.params.length;
    this.conditions.push(`(${timeColumn}, e.id) < ($${n - 1}::timestamptz, $${n}::bigint)`);
    return this;
  }

  toString(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

const limitOf = (q: LogPageQuery) => q.limit ?? DEFAULT_PAGE_SIZE;

function checkRange(q: { from?: string; to?: string }): void {
  if (q.from && q.to && new Date(q.from) >= new Date(q.to)) throw new ValidationProblem([{ name: 'to', reason: 'must be after from' }]);
}

/** The sort key rendered in UTC with microseconds, whatever the session's time zone. */
const sortKey = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function page<T>(rows: (T & { sort_key: string; id: string })[], limit: number): Page<T> {
  return pageOf(rows, limit, (r) => [r.sort_key, r.id], ({ sort_key: _, ...item }) => item as unknown as T);
}

/** The object without its absent (undefined or empty) fields. */
const given = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')) as T;

/** The filters given, as an audit detail: ids, codes and times only; a cursor as "a next page". */
const filterOf = (q: LogPageQuery, extra: AuditDetailFilterDto): AuditDetailFilterDto =>
  given({ tableId: q.tableId, operationId: q.operationId, from: q.from, to: q.to, limit: limitOf(q), page: q.cursor ? 'next' : undefined, ...extra });

/** A V-number is never recorded here, not even hashed: only that the search was by one (its processing-log entry holds the hash). */
const searchFilter = (q: ProcessingLogSearchDto) => filterOf(q, { operation: q.operation, byVNumber: q.vNumber ? true : undefined });

const auditFilter = (q: AuditLogQueryDto) => filterOf(q, { userId: q.userId, organisationId: q.organisationId, result: q.result, action: q.action });

/** The Dutch label of a purpose code; an entry from before the fixed set keeps its text as it is. */
const withPurposeLabel = <T extends { purpose: string | null }>(row: T): T & { purposeLabel: string | null } => ({
  ...row,
  purposeLabel: row.purpose === null ? null : label(PURPOSE_LABELS, row.purpose),
});

/**
 * The privacy officer's read access to both logs, newest first with keyset paging. Responses never hold
 * a V-number or its keyed hash: the hash would link a person's entries across every later export.
 */
@Injectable()
export class LogQueryService {
  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly log: ProcessingLogService,
    private readonly clock: Clock,
  ) {}

  async searchProcessingLog(ctx: RequestContext, q: ProcessingLogSearchDto): Promise<ProcessingLogPageDto> {
    checkRange(q);
    const startedAt = this.clock.now();
    const where = new Where()
      .add((p) => `e.data_subject_id = ${p}`, q.vNumber ? pseudonymise(this.config.PSEUDONYM_KEY, q.vNumber) : undefined)
      .add((p) => `e.table_id = ${p}::uuid`, q.tableId)
      .add((p) => `e.operation_id = ${p}::uuid`, q.operationId)
      .add((p) => `e.operation_name = ${p}`, q.operation)
      .add((p) => `e.started_at >= ${p}::timestamptz`, q.from)
      .add((p) => `e.started_at < ${p}::timestamptz`, q.to)
      .after('e.started_at', q.cursor);
    const sql = `
      SELECT e.id::text AS id, e.trace_id AS "traceId", e.operation_id AS "operationId", e.operation_name AS "operationName",
             e.status, e.started_at AS "startedAt", e.ended_at AS "endedAt", e.processing_activity_id AS "processingActivityId",
             e.data_subject_type AS "dataSubjectType", e.api_client_id AS "apiClientId", e.table_id AS "tableId",
             EXISTS (SELECT 1 FROM log_seal s WHERE s.log = 'processing_log' AND s.entry_id = e.id) AS sealed,
             ${sortKey('e.started_at')} AS sort_key
        FROM processing_log e
        ${where}
       ORDER BY e.started_at DESC, e.id DESC
       LIMIT $${where.params.length + 1}`;
    // One row more than asked tells whether there is a next page.
    const params = [...where.params, limitOf(q) + 1];
    // Reading the log is itself audited, with the filter, in the same transaction (committed before the
    // response is sent); the entry is written after the query, so it shows on the next read, not this one.
    // A lookup by V-number also processes that person's data: one processing entry for them too, whether
    // or not anything was found.
    return this.dataSource.transaction(async (m: EntityManager) => {
      const result = page<ProcessingLogEntryDto>(await m.query(sql, params), limitOf(q));
      const detail = { log: 'processing_log', filter: searchFilter(q), returned: result.items.length };
      if (q.vNumber) {
        await this.log.recordWithoutTable(m, ctx, {
          operation: 'log.search',
          vNumbers: [q.vNumber],
          purpose: LOG_SEARCH_PURPOSE,
          legalBasis: SUPERVISION_LEGAL_BASIS,
          startedAt,
          detail,
        });
      } else {
        await this.log.recordSupervision(m, ctx, { operation: 'processing_log.read', tableId: q.tableId ?? null, detail });
      }
      return result;
    });
  }

  async listAuditLog(ctx: RequestContext, q: AuditLogQueryDto): Promise<AuditLogPageDto> {
    checkRange(q);
    const where = new Where()
      .add((p) => `e.actor_id = ${p}::uuid`, q.userId)
      .add((p) => `e.organisation_id = ${p}::uuid`, q.organisationId)
      .add((p) => `e.table_id = ${p}::uuid`, q.tableId)
      .add((p) => `e.operation_id = ${p}::uuid`, q.operationId)
      .add((p) => `e.result = ${p}`, q.result)
      .add((p) => `e.action = ${p}`, q.action)
      .add((p) => `e.occurred_at >= ${p}::timestamptz`, q.from)
      .add((p) => `e.occurred_at < ${p}::timestamptz`, q.to)
      .after('e.occurred_at', q.cursor);
    // Audited like the processing log: written after the query, so this read shows on the next one.
    return this.dataSource.transaction(async (m: EntityManager) => {
      const rows = await m.query(
        `SELECT e.id::text AS id, e.trace_id AS "traceId", e.operation_id AS "operationId", e.occurred_at AS "occurredAt",
                e.actor_kind AS "actorKind", e.actor_id AS "actorId", e.organisation_id AS "organisationId", e.role,
                e.origin_ip AS "originIp", e.action, e.result, e.categories, e.purpose, e.legal_basis AS "legalBasis",
                e.table_id AS "tableId", e.subject_count AS "subjectCount", d.detail,
                EXISTS (SELECT 1 FROM log_seal s WHERE s.log = 'audit_log' AND s.entry_id = e.id) AS sealed,
                ${sortKey('e.occurred_at')} AS sort_key
           FROM audit_log e
           LEFT JOIN audit_log_detail d ON d.operation_id = e.operation_id
           ${where}
          ORDER BY e.occurred_at DESC, e.id DESC
          LIMIT $${where.params.length + 1}`,
        [...where.params, limitOf(q) + 1],
      );
      const result = page<AuditLogEntryDto>(rows.map(withPurposeLabel), limitOf(q));
      await this.log.recordSupervision(m, ctx, {
        operation: 'audit_log.read',
        tableId: q.tableId ?? null,
        detail: { log: 'audit_log', filter: auditFilter(q), returned: result.items.length },
      });
      return result;
    });
  }
}
