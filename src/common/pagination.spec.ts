import { decodeCursor, encodeCursor, nextPageUrl, pageOf, pageOfBounded, CURSOR_UUID } from './pagination';
import { ValidationProblem } from './problem';

describe('pagination', () => {
  const rows = ['a', 'b', 'c', 'd', 'e'].map((k, i) => ({ k, i }));

  it('pages rows fetched with limit + 1 and gives the last shown position as the cursor', () => {
    const first = pageOf(rows.slice(0, 3), 2, (r) => [r.k], (r) => r.i);
    expect(first).toEqual({ items: [0, 1], nextCursor: encodeCursor(['b']) });
    expect(pageOf(rows.slice(0, 2), 2, (r) => [r.k], (r) => r.i).nextCursor).toBeNull();
  });

  it('walks a bounded list to its end, each item once', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = pageOfBounded(rows, { limit: 2, cursor }, (r) => r.k);
      seen.push(...page.items.map((r) => r.k));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('refuses a cursor it did not issue as a 400 naming the field', () => {
    for (const raw of ['x', encodeCursor(['not-a-uuid']), encodeCursor([1, 2]), Buffer.from('{"a":1}').toString('base64url')]) {
      expect(() => decodeCursor(raw, [CURSOR_UUID])).toThrow(ValidationProblem);
    }
    expect(() => pageOfBounded(rows, { cursor: encodeCursor(['zz']) }, (r) => r.k)).toThrow(ValidationProblem);
    const id = '0b9f8a2e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
    expect(decodeCursor(encodeCursor([id]), [CURSOR_UUID])).toEqual([id]);
  });

  it('builds the next URL from the request, replacing only the cursor', () => {
    expect(nextPageUrl('/api/v1/tables?limit=2&cursor=old&q=a%20b', 'NEW')).toBe('/api/v1/tables?limit=2&cursor=NEW&q=a+b');
    expect(nextPageUrl('/api/v1/tables', 'N')).toBe('/api/v1/tables?cursor=N');
  });
});
