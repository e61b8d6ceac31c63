import fc from 'fast-check';
import { DisclosureControl, LESS_THAN_TEN, MIN_POPULATION, roundCount, shownMedian, type ShownCount } from './disclosure-control';
import { municipalityFigures } from './statistics-report';
import type { StatisticsRow } from './statistics.sql';

describe('roundCount: the rounding of the IND figures in the progress letter', () => {
  it.each([
    [0, LESS_THAN_TEN],
    [1, LESS_THAN_TEN],
    [9, LESS_THAN_TEN],
    [10, 10],
    [14, 10],
    [15, 20],
    [24, 20],
    [25, 30],
    [2_850, 2_850],
    [3_024, 3_020],
    [3_025, 3_030],
  ])('%d → %s', (n, shown) => {
    expect(roundCount(n)).toBe(shown);
  });

  it('refuses what is not a count', () => {
    for (const n of [-1, 1.5, Number.NaN, Infinity]) expect(() => roundCount(n)).toThrow(RangeError);
  });

  it('withholds a median over fewer than 10 cases, and rounds it to whole days', () => {
    expect(shownMedian(12.5, 9)).toBeNull();
    expect(shownMedian(12.5, 10)).toBe(13);
    expect(shownMedian(null, 40)).toBeNull();
  });
});

/** Whether a reader of `shown` can still believe `cell` is 0: some values within every shown interval satisfy the sum with it at 0. */
function canBeZero(total: ShownCount, partitions: ShownCount[][], at: { partition: number; index: number }): boolean {
  const range = (s: ShownCount): [number, number] => (s === null ? [0, Infinity] : s === LESS_THAN_TEN ? [0, 9] : [Math.max(10, s - 5), s + 4]);
  let [lo, hi] = range(total);
  partitions.forEach((cells, p) => {
    const others = cells.filter((_, i) => !(p === at.partition && i === at.index));
    lo = Math.max(lo, others.reduce<number>((sum, c) => sum + range(c)[0], 0));
    hi = Math.min(hi, others.reduce<number>((sum, c) => sum + range(c)[1], 0));
  });
  return lo <= hi;
}

describe('DisclosureControl', () => {
  it('suppresses a breakdown behind fewer people than the minimum population, and shows its total', () => {
    const dc = new DisclosureControl().add('t', 40).add('a', 30, { suppress: true }).add('b', 10, { suppress: true }).sum('t', ['a', 'b']).apply();
    expect([dc.shown('t'), dc.shown('a'), dc.shown('b')]).toEqual([40, null, null]);
    expect(MIN_POPULATION).toBe(10);
  });

  it('suppresses a complement when a total minus the other cells would reveal that a "< 10" is not zero', () => {
    // 23 is shown as 20 (15 to 24), 14 as 10 (10 to 14): the 9 would be at least 1.
    const dc = new DisclosureControl().add('t', 23).add('nuisance', 14).add('offence', 9).sum('t', ['nuisance', 'offence']).apply();
    expect(dc.complements).toEqual(['nuisance']);
    expect([dc.shown('t'), dc.shown('nuisance'), dc.shown('offence')]).toEqual([20, null, LESS_THAN_TEN]);
    expect(dc.bounds().get('offence')![0]).toBe(0);
  });

  it('leaves a breakdown alone when nothing can be derived', () => {
    const dc = new DisclosureControl().add('t', 31).add('a', 12).add('b', 10).add('c', 9).sum('t', ['a', 'b', 'c']).apply();
    expect(dc.complements).toEqual([]);
    expect([dc.shown('t'), dc.shown('a'), dc.shown('b'), dc.shown('c')]).toEqual([30, 10, 10, LESS_THAN_TEN]);
  });

  it('protects across tables: a municipality minus one table does not reveal the other', () => {
    // A: 9 (< 10), B: 14 (10), together 23 (20): A would be at least 1.
    const dc = new DisclosureControl().add('all', 23).add('A', 9).add('B', 14).sum('all', ['A', 'B']).apply();
    expect(dc.shown('A')).toBe(LESS_THAN_TEN);
    expect(dc.shown('B')).toBeNull();
    expect(dc.bounds().get('A')![0]).toBe(0);
  });

  it('refuses a sum that does not hold (a bug in the figures, not a disclosure)', () => {
    expect(() => new DisclosureControl().add('t', 10).add('a', 3).sum('t', ['a'])).toThrow(/add up/);
  });

  it('property: after it, no "< 10" or suppressed cell of a total with two breakdowns can be shown to be non-zero', () => {
    const partition = fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(partition, partition, fc.boolean(), (a, b0, small) => {
        // Two breakdowns of one total (as incidents by kind and by classification): make b add up to a's total.
        const total = a.reduce((s, v) => s + v, 0);
        const b = [...b0.slice(0, -1).map((v) => Math.min(v, total)), 0];
        const rest = total - b.slice(0, -1).reduce((s, v) => s + v, 0);
        if (rest < 0) return;
        b[b.length - 1] = rest;
        const dc = new DisclosureControl().add('t', total);
        a.forEach((v, i) => dc.add(`a${i}`, v, { suppress: small }));
        b.forEach((v, i) => dc.add(`b${i}`, v));
        dc.sum('t', a.map((_, i) => `a${i}`)).sum('t', b.map((_, i) => `b${i}`)).apply();
        const shown = [a.map((_, i) => dc.shown(`a${i}`)), b.map((_, i) => dc.shown(`b${i}`))];
        const values = [a, b];
        shown.forEach((cells, p) =>
          cells.forEach((s, i) => {
            const isProtected = s === LESS_THAN_TEN || (p === 0 && small);
            if (isProtected && values[p][i] > 0) expect(canBeZero(dc.shown('t'), shown, { partition: p, index: i })).toBe(true);
          }),
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('municipalityFigures', () => {
  const row = (table: string | null, figure: string, key: string | null, value: number, part: StatisticsRow['part'] = 'count'): StatisticsRow => ({
    part,
    table_id: table,
    figure,
    key,
    value,
  });

  it('gives a municipality with one table that table’s figures, with every code listed', () => {
    const rows = [
      row('A', 'cases_opened', null, 24),
      row('A', 'incidents', 'theft:nuisance', 30),
      row('A', 'incidents', 'violence:offence', 12),
      row('A', 'incidents', null, 25, 'persons'),
    ];
    const { municipality, tables } = municipalityFigures(rows, ['A']);
    expect(tables.get('A')).toBe(municipality);
    expect(municipality.cases).toEqual({ opened: 20, closed: LESS_THAN_TEN });
    expect(municipality.incidents.total).toBe(40);
    expect(municipality.incidents.byKind.theft).toBe(30);
    expect(municipality.incidents.byKind.violence).toBe(10);
    expect(municipality.incidents.byKind.shoplifting).toBe(LESS_THAN_TEN);
    expect(Object.keys(municipality.incidents.byKind)).toHaveLength(10);
    expect(municipality.incidents.byClassification).toEqual({ nuisance: 30, offence: 10 });
    // Nobody behind the measures: no breakdown, and the median withheld.
    expect(municipality.measures.total).toBe(LESS_THAN_TEN);
    expect(Object.values(municipality.measures.byType).every((v) => v === null)).toBe(true);
    expect(municipality.medians).toEqual({ daysToFirstMeasure: null, daysToClose: null });
  });

  it('suppresses incidents by kind when fewer than 10 people stand behind them, however many incidents', () => {
    const rows = [row('A', 'incidents', 'theft:nuisance', 60), row('A', 'incidents', null, 3, 'persons')];
    const { municipality } = municipalityFigures(rows, ['A']);
    expect(municipality.incidents.total).toBe(60);
    expect(municipality.incidents.byKind.theft).toBeNull();
    expect(municipality.incidents.byClassification.nuisance).toBeNull();
  });

  it('decides over a municipality and its tables together', () => {
    const rows = [row('A', 'cases_opened', null, 9), row('B', 'cases_opened', null, 14)];
    const { municipality, tables } = municipalityFigures(rows, ['A', 'B']);
    expect(municipality.cases.opened).toBe(20);
    expect(tables.get('A')!.cases.opened).toBe(LESS_THAN_TEN);
    // Shown as 10, B would let 20 − 10 prove that A opened at least one case.
    expect(tables.get('B')!.cases.opened).toBeNull();
  });

  it('shows a median over 10 cases or more, per table and over all tables', () => {
    const rows = [
      row('A', 'cases_closed', null, 10),
      row('A', 'cases_closed', null, 33.5, 'median'),
      row('A', 'cases_closed', null, 10, 'median_cases'),
      row('B', 'cases_closed', null, 4),
      row('B', 'cases_closed', null, 3, 'median'),
      row('B', 'cases_closed', null, 4, 'median_cases'),
      row(null, 'cases_closed', null, 20, 'median'),
      row(null, 'cases_closed', null, 14, 'median_cases'),
    ];
    const { municipality, tables } = municipalityFigures(rows, ['A', 'B']);
    expect(tables.get('A')!.medians.daysToClose).toBe(34);
    expect(tables.get('B')!.medians.daysToClose).toBeNull();
    expect(municipality.medians.daysToClose).toBe(20);
  });
});
