import { Type } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotPersonal } from '../sharing/disclosure';
import { ValidationProblem } from './problem';

/**
 * One way to page every collection (README, "Lists"): `?limit=` (1-100, default 25) and an opaque `?cursor=`;
 * the answer is `{ items, nextCursor }`, and while there is a next page a `Link: <…>; rel="next"` header
 * (RFC 8288) carries its URL. Cursors are keyset positions (the sort key of the last item and its id), so a
 * page stays correct while rows are added, and a deep page costs what the first does.
 */
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** The page size and opaque cursor every collection takes; list query DTOs extend it. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: 'Items per page.' })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque; the `nextCursor` of the previous page (also in its `Link` header).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type CursorValue = string | number | boolean | null;

export const encodeCursor = (values: readonly CursorValue[]): string => Buffer.from(JSON.stringify(values)).toString('base64url');

export const invalidCursor = () => new ValidationProblem([{ name: 'cursor', reason: 'is not a cursor this API issued' }]);

/**
 * The values of a cursor this API issued, checked one by one: `shape` holds, per position, a test of the value
 * (a pattern for strings, or a function). Anything else is a 400 naming `cursor`, never a 500 or a wrong page.
 */
export function decodeCursor(raw: string, shape: readonly (RegExp | ((v: unknown) => boolean))[]): CursorValue[] {
  try {
    const values = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(values) &&
      values.length === shape.length &&
      shape.every((test, i) => (test instanceof RegExp ? typeof values[i] === 'string' && test.test(values[i] as string) : test(values[i])))
    ) {
      return values as CursorValue[];
    }
  } catch {
    // Falls through to the problem below.
  }
  throw invalidCursor();
}

/** Patterns for the usual cursor members. */
export const CURSOR_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A timestamp as PostgreSQL's `to_char(… 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` gives it, to the microsecond. */
export const CURSOR_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
export const CURSOR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A page from rows fetched with `LIMIT limit + 1`: the extra row only says that a next page exists; the cursor
 * is the position of the last row shown.
 */
export function pageOf<R, T>(rows: readonly R[], limit: number, positionOf: (row: R) => readonly CursorValue[], view: (row: R) => T): Page<T> {
  const shown = rows.slice(0, limit);
  return {
    items: shown.map(view),
    nextCursor: rows.length > limit && shown.length > 0 ? encodeCursor(positionOf(shown[shown.length - 1])) : null,
  };
}

/**
 * A page of a collection that is small and bounded by design (a catalogue, a table's covenant versions) and is
 * built in memory anyway: the same `limit`, `cursor` and `nextCursor` as every other list, the cursor being the
 * key of the last item shown. `items` must already be in their final order, and `keyOf` unique.
 */
export function pageOfBounded<T>(items: readonly T[], q: PageQueryDto, keyOf: (item: T) => string): Page<T> {
  const limit = q.limit ?? DEFAULT_PAGE_SIZE;
  let start = 0;
  if (q.cursor !== undefined) {
    const [key] = decodeCursor(q.cursor, [(v) => typeof v === 'string']);
    const at = items.findIndex((item) => keyOf(item) === key);
    if (at < 0) throw invalidCursor();
    start = at + 1;
  }
  const shown = items.slice(start, start + limit);
  return { items: shown, nextCursor: start + limit < items.length && shown.length > 0 ? encodeCursor([keyOf(shown[shown.length - 1])]) : null };
}

/**
 * The OpenAPI and disclosure shape of a page of `item`: `{ items, nextCursor }`. Page classes are made here so
 * that every list documents the same two members; `name` becomes the schema name (e.g. `OrganisationPage`).
 */
export function PageViewOf<T>(item: Type<T>, name: string, itemsDescription = 'The items of this page, in the order of the list.'): Type<Page<T>> {
  class PageView {
    @NotPersonal({ type: () => item, isArray: true, description: itemsDescription }) items: T[];
    @NotPersonal({ type: String, nullable: true, description: 'Pass as `cursor` for the next page (also sent as a `Link` header with `rel="next"`); null on the last page.' })
    nextCursor: string | null;
  }
  Object.defineProperty(PageView, 'name', { value: name });
  return PageView;
}

const isPage = (value: unknown): value is Page<unknown> =>
  typeof value === 'object' && value !== null && Array.isArray((value as Page<unknown>).items) && 'nextCursor' in value;

/** The URL of the next page: the request's own path and query with `cursor` set (and nothing else changed). */
export function nextPageUrl(requestUrl: string, cursor: string): string {
  const url = new URL(requestUrl, 'http://placeholder');
  url.searchParams.set('cursor', cursor);
  return `${url.pathname}${url.search}`;
}

/**
 * Every answer that is a page with a next page gets `Link: <…>; rel="next"`. A relative reference, which RFC 8288
 * resolves against the request's URL, so it holds behind any proxy or `PUBLIC_BASE_URL`.
 *
 * A Fastify preSerialization hook rather than a global Nest interceptor: a global interceptor puts an RxJS
 * pipeline on every request (Nest calls a handler directly when it has none), which profiling the case read and
 * list put at 2-4 % of their CPU; this hook sees the object being serialised and costs a type check.
 */
export function installPageLinks(fastify: FastifyInstance): void {
  fastify.addHook('preSerialization', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
    if (isPage(payload) && typeof payload.nextCursor === 'string') reply.header('Link', `<${nextPageUrl(request.url, payload.nextCursor)}>; rel="next"`);
    done(null, payload);
  });
}
