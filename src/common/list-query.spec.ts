import { containsPattern, Keyset, sortValues } from './list-query';
import { encodeCursor } from './pagination';
import { ValidationProblem } from './problem';

describe('list query', () => {
  const fields = { name: { column: 'o.name', kind: 'text' as const }, createdAt: { column: 'o.created_at', kind: 'timestamp' as const } };
  const id = '0b9f8a2e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';

  it('escapes the LIKE wildcards and the escape character, so a search matches them literally', () => {
    expect(containsPattern('100%')).toBe('%100\\%%');
    expect(containsPattern('a_b\\c')).toBe('%a\\_b\\\\c%');
    expect(containsPattern('plain')).toBe('%plain%');
  });

  it('offers each field both ways', () => {
    expect(sortValues(fields)).toEqual(['name', '-name', 'createdAt', '-createdAt']);
  });

  it('orders and starts after the cursor in the direction of the sort', () => {
    const up = new Keyset(fields, 'name', 'o.id');
    const params: unknown[] = ['x'];
    expect(up.orderBy).toBe('o.name ASC, o.id ASC');
    expect(up.after(encodeCursor(['name', 'Gemeente', id]), params)).toBe('(o.name, o.id) > ($2::text, $3::uuid)');
    expect(params).toEqual(['x', 'Gemeente', id]);
    const down = new Keyset(fields, '-createdAt', 'o.id');
    expect(down.orderBy).toBe('o.created_at DESC, o.id DESC');
    expect(down.after(encodeCursor(['-createdAt', '2026-12-07T10:00:00.123456Z', id]), [])).toBe('(o.created_at, o.id) < ($1::timestamptz, $2::uuid)');
    expect(down.positionOf({ sort_key: '2026-12-07T10:00:00.123456Z', id })).toEqual(['-createdAt', '2026-12-07T10:00:00.123456Z', id]);
    expect(up.after(undefined, [])).toBeUndefined();
  });

  it('refuses a cursor of another sort, or with a value of the wrong kind, as a 400 naming cursor', () => {
    const down = new Keyset(fields, '-name', 'o.id');
    for (const raw of [encodeCursor(['name', 'Gemeente', id]), encodeCursor(['-name', 3, id]), encodeCursor(['-name', 'Gemeente', 'nope'])]) {
      expect(() => down.after(raw, [])).toThrow(ValidationProblem);
    }
    const byDate = new Keyset(fields, 'createdAt', 'o.id');
    expect(() => byDate.after(encodeCursor(['createdAt', '2026-12-07T10:00:00Z', id]), [])).toThrow(ValidationProblem);
    const bigint = new Keyset(fields, 'createdAt', 'e.id', 'bigint');
    expect(bigint.after(encodeCursor(['createdAt', '2026-12-07T10:00:00.000001Z', '42']), [])).toBe('(o.created_at, e.id) > ($1::timestamptz, $2::bigint)');
    expect(() => bigint.after(encodeCursor(['createdAt', '2026-12-07T10:00:00.000001Z', id]), [])).toThrow(ValidationProblem);
  });
});
