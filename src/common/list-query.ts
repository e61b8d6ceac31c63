import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { CURSOR_DATE, CURSOR_TIMESTAMP, CURSOR_UUID, CursorValue, decodeCursor } from './pagination';

/**
 * Sorting and text search for the lists (README, "Lists"), next to the paging of ./pagination.ts: a `sort`
 * parameter naming one field (`-` for descending) and a `q` substring search. A keyset over (sort key, id)
 * keeps every sort a cheap, stable page; the cursor names the sort it belongs to, so a cursor of another
 * sort is a 400 naming `cursor`, never a page that skips or repeats rows.
 */

export const SEARCH_MAX_LENGTH = 100;

/** `q`: trimmed, 1-100 characters, no control characters (NUL is refused for every query string already). */
export function SearchParam(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ minLength: 1, maxLength: SEARCH_MAX_LENGTH, description: `${description} Case-insensitive; matches anywhere in the text.` }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value)),
    IsString(),
    MinLength(1),
    MaxLength(SEARCH_MAX_LENGTH),
    // eslint-disable-next-line no-control-regex
    Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'must not contain control characters' }),
  );
}

/** `sort`: one of `values` (each field name, `-` prefixed for descending); anything else is a 400 naming `sort`. */
export function SortParam(values: readonly string[], defaultValue: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ enum: values, default: defaultValue, description: 'The field to sort on; a leading `-` sorts descending. Ties are broken by id.' }),
    IsOptional(),
    IsIn(values),
  );
}

/**
 * A LIKE pattern that matches `q` anywhere, its own `%`, `_` and `\` taken literally. Use with
 * `ILIKE $n ESCAPE '\'` (case-insensitive).
 */
export const containsPattern = (q: string): string => `%${q.replace(/[\\%_]/g, '\\$&')}%`;

/** How a sortable field is stored: its SQL column (never null) and what kind of value it holds. */
export interface SortField {
  column: string;
  kind: 'text' | 'timestamp' | 'date' | 'integer';
}

const KEY_SQL: Record<SortField['kind'], (column: string) => string> = {
  text: (c) => c,
  // To the microsecond, as PostgreSQL keeps it: a millisecond JavaScript Date would skip or repeat rows.
  timestamp: (c) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  date: (c) => `to_char(${c}, 'YYYY-MM-DD')`,
  integer: (c) => c,
};
const CAST: Record<SortField['kind'], string> = { text: 'text', timestamp: 'timestamptz', date: 'date', integer: 'integer' };
const KEY_TEST: Record<SortField['kind'], RegExp | ((v: unknown) => boolean)> = {
  text: (v) => typeof v === 'string',
  timestamp: CURSOR_TIMESTAMP,
  date: CURSOR_DATE,
  integer: (v) => Number.isInteger(v),
};

/** The values a `sort` parameter accepts for these fields: each name, ascending and descending. */
export const sortValues = (fields: Record<string, SortField>): string[] => Object.keys(fields).flatMap((f) => [f, `-${f}`]);

/**
 * The keyset of one list under one sort: the SQL to select the sort key, to order by it, and to start after a
 * cursor; and the cursor of a row. `idColumn` breaks ties (and is unique), so the order is total.
 */
export class Keyset {
  readonly field: SortField;
  readonly descending: boolean;

  constructor(
    fields: Record<string, SortField>,
    readonly sort: string,
    private readonly idColumn: string,
    /** A uuid, or a bigint sequence (the audit log) that travels as its decimal text. */
    private readonly idKind: 'uuid' | 'bigint' = 'uuid',
  ) {
    this.descending = sort.startsWith('-');
    const field = fields[this.descending ? sort.slice(1) : sort];
    if (!field) throw new Error(`Unknown sort ${sort}`); // validated by SortParam before it gets here
    this.field = field;
  }

  /** Select this as `sort_key` (a string, number or date text). */
  get keySql(): string {
    return KEY_SQL[this.field.kind](this.field.column);
  }

  get orderBy(): string {
    const dir = this.descending ? 'DESC' : 'ASC';
    return `${this.field.column} ${dir}, ${this.idColumn} ${dir}`;
  }

  /** The condition for rows after `cursor` (its parameters pushed onto `params`), or undefined for the first page. */
  after(cursor: string | undefined, params: unknown[]): string | undefined {
    if (cursor === undefined) return undefined;
    const [, key, id] = decodeCursor(cursor, [(v) => v === this.sort, KEY_TEST[this.field.kind], this.idKind === 'uuid' ? CURSOR_UUID : /^[0-9]{1,19}$/]);
    const k = params.push(key);
    const i = params.push(id);
    return `(${this.field.column}, ${this.idColumn}) ${this.descending ? '<' : '>'} ($${k}::${CAST[this.field.kind]}, $${i}::${this.idKind})`;
  }

  /** The cursor position of a row that selected `sort_key` and `id`. */
  readonly positionOf = (row: { sort_key?: unknown; id: unknown }): CursorValue[] => [this.sort, row.sort_key as CursorValue, row.id as CursorValue];
}
