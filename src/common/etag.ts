import { applyDecorators, CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { lastValueFrom, Observable, of } from 'rxjs';
import { DataSource } from 'typeorm';
import type { VERSIONED_TABLES } from '../../migrations/1766000400000-add-row-versions';
import { prepared } from '../db/prepared';
import { CommonError, DomainException } from './problem';

/** A table whose rows carry a `version` (migrations/1766000400000-add-row-versions.ts). */
export type VersionedTable = (typeof VERSIONED_TABLES)[number];

export interface VersionedResource {
  table: VersionedTable;
  /** The path parameter holding the row's id. */
  param: string;
}

export const VERSIONED_METADATA = 'ketentafel:versioned';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The strong entity tag of a row version (RFC 9110 section 8.8.3): the number only, nothing else of the row. */
export const etagOf = (version: number) => `"${version}"`;

/**
 * Whether an `If-Match` header matches the current version: `*`, or one of the listed tags by the strong
 * comparison RFC 9110 section 13.1.1 requires (a weak tag `W/"…"` never matches).
 */
export function ifMatchHolds(header: string, version: number): boolean {
  const current = etagOf(version);
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === current;
  });
}

/** If-None-Match uses the weak comparison (RFC 9110 section 13.1.2): `W/"7"` matches `"7"`, and `*` matches. */
export function ifNoneMatchHolds(header: string, version: number): boolean {
  const current = etagOf(version);
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === current;
  });
}

/** The statement that reads a row's version for its ETag; the benchmark's bare handler runs the same one (bench/bare.ts). */
export const versionStatement = (table: VersionedTable, id: string) => ({ text: `SELECT version FROM ${table} WHERE id = $1`, values: [id] });

const NOT_MODIFIED = Symbol('ketentafel:not-modified');

/**
 * Turns the 200 of a GET whose If-None-Match named the current version into 304 without a body. A hook, because
 * Nest sets the handler's status after the interceptors ran.
 */
export function installNotModified(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (_request, reply, payload) => {
    if (!(reply as unknown as Record<symbol, boolean | undefined>)[NOT_MODIFIED] || reply.statusCode !== 200) return payload;
    reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    return null;
  });
}

/**
 * On the GET of a single resource: answers its `ETag`. On its PATCH: honours `If-Match` and answers the new
 * `ETag`. Every route that has a PATCH states it (test/http-conventions.e2e-spec.ts walks them).
 */
export const Versioned = (table: VersionedTable, param = 'id') =>
  // The OpenAPI declarations (ETag, If-Match, 412) belong to the document's post-processing (src/openapi.ts), declared once there.
  applyDecorators(SetMetadata(VERSIONED_METADATA, { table, param } satisfies VersionedResource), UseInterceptors(VersionInterceptor));

/**
 * ETag and If-Match for a row with a `version` column. The trigger of the migration bumps the version on
 * every UPDATE; this interceptor
 * - on GET reads the version before the handler reads the row, so the tag is never newer than the body
 *   (at worst a later PATCH is refused needlessly, never accepted wrongly);
 * - on PATCH serialises the PATCHes of one row with a transaction-scoped advisory lock held on a connection
 *   of its own from before the If-Match comparison until after the handler's transaction committed, so of
 *   two PATCHes with the same If-Match exactly one wins. The handler's service keeps its own transaction
 *   (the lock is advisory: it blocks only other PATCHes of the row, never the service's UPDATE). After the
 *   handler it bumps the version once more, so a change the handler made only to rows of other tables (a
 *   case's person) still yields a new tag.
 * Without If-Match a PATCH behaves as before (last writer wins) and still answers the new ETag.
 * Cost: a PATCH holds a second pool connection (the lock's) while its handler runs; with DB_POOL_SIZE PATCHes at
 * once, the handlers wait for a connection and answer 503 database_busy after DB_POOL_ACQUIRE_TIMEOUT_MS, never hang.
 * The version is read before the handler's access checks: a caller with the route's permission who sends a
 * stale If-Match for a row it may not see learns only that the id exists (ids are random UUIDs).
 */
@Injectable()
export class VersionInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const resource = this.reflector.get<VersionedResource>(VERSIONED_METADATA, context.getHandler());
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const id = (request.params as Record<string, string | undefined>)[resource.param];
    // Not a UUID: the handler's pipe answers 400.
    if (!id || !UUID.test(id)) return next.handle();
    if (request.method === 'PATCH') return of(await this.patch(resource, id, request, reply, next));
    // Prepared: the GET of a case is a hot read with a budget of statements (test/query-budget.e2e-spec.ts).
    const version = versionStatement(resource.table, id);
    const [row] = await prepared<{ version: number }>(this.dataSource.manager, version.text, version.values);
    const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
    if (row) {
      reply.header('ETag', etagOf(row.version));
      // The handler ran (access checks, audit log) and answered: the caller's copy is current, so no body.
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch && ifNoneMatchHolds(ifNoneMatch, row.version)) (reply as unknown as Record<symbol, boolean>)[NOT_MODIFIED] = true;
    }
    return of(result);
  }

  private async patch(resource: VersionedResource, id: string, request: FastifyRequest, reply: FastifyReply, next: CallHandler): Promise<unknown> {
    const ifMatch = request.headers['if-match'];
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${resource.table}:${id}`]);
      if (ifMatch) {
        const [row]: { version: number }[] = await runner.query(`SELECT version FROM ${resource.table} WHERE id = $1`, [id]);
        // A row that does not exist is the handler's 404, not a 412.
        if (row && !ifMatchHolds(ifMatch, row.version)) {
          throw new DomainException(HttpStatus.PRECONDITION_FAILED, CommonError.PreconditionFailed, 'The resource changed since the version named in If-Match; read it again and reapply your change.');
        }
      }
      const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const [[row]]: [{ version: number }[], number] = await runner.query(`UPDATE ${resource.table} SET version = version + 1 WHERE id = $1 RETURNING version`, [id]);
      await runner.commitTransaction();
      if (row) reply.header('ETag', etagOf(row.version));
      return result;
    } catch (e) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw e;
    } finally {
      await runner.release();
    }
  }
}
