/**
 * Statistical disclosure control of the statistics (README, "Statistics"): which figures are shown, rounded,
 * as `< 10`, or suppressed. Pure functions, no I/O, so that the rules are unit-tested on their own and the
 * benchmark's bare handler runs exactly what the application runs.
 *
 * 1. Rounding, as the IND figures of the 2025 progress letter: every count is rounded to tens (half up),
 *    and 0 to 9 are shown as `< 10` (0 and 9 alike, so that "none" and "a few" cannot be told apart).
 * 2. Minimum population: a breakdown (incidents by kind, measures by type, escalations by track or outcome,
 *    actions by result) is shown only when the people behind its total number at least MIN_POPULATION;
 *    otherwise every cell of it is suppressed and only the total is shown.
 * 3. Complementary suppression: a figure shown as `< 10`, or suppressed, must not be provably non-zero from
 *    everything else shown. The published figures are read as intervals (a `20` is 15 to 24, a `< 10` is
 *    0 to 9, a suppressed figure 0 or more) tied by every sum that holds between them (a total and its
 *    breakdown, a municipality and its tables, a subset and its whole), and the intervals are narrowed by
 *    interval propagation until nothing changes. While some protected figure's lower bound is 1 or more,
 *    another figure of a sum it is in is suppressed (a breakdown cell before a total, the smallest first)
 *    and the check runs again. The bounds are sound (the true values always lie within them).
 */

export const LESS_THAN_TEN = '< 10' as const;
/** A shown count: rounded to tens (10 or more), `< 10`, or `null` when suppressed. */
export type ShownCount = number | typeof LESS_THAN_TEN | null;

/** Below this many distinct people, a breakdown is suppressed. */
export const MIN_POPULATION = 10;
/** Below this many cases, a median is withheld. */
export const MEDIAN_MIN_CASES = 10;

/** 0–9 → `< 10`; otherwise rounded to tens, half up: 14 → 10, 15 → 20, 3,024 → 3,020. */
export function roundCount(n: number): number | typeof LESS_THAN_TEN {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`a count is a non-negative integer, not ${n}`);
  return n < 10 ? LESS_THAN_TEN : Math.floor((n + 5) / 10) * 10;
}

/** A median of whole days, or null below MEDIAN_MIN_CASES cases. */
export const shownMedian = (median: number | null, cases: number): number | null =>
  cases < MEDIAN_MIN_CASES || median === null ? null : Math.round(median);

interface Cell {
  value: number;
  /** Never shown: a remainder that only closes a sum (a whole minus its shown subset). */
  hidden: boolean;
  /** Must not be provably non-zero: shown as `< 10`, or suppressed by the population rule. */
  protected: boolean;
  shown: ShownCount;
}

interface Sum {
  total: string;
  parts: string[];
}

type Bound = [lo: number, hi: number];

/** What a reader knows of a cell from how it is shown. */
function interval(c: Cell): Bound {
  if (c.hidden || c.shown === null) return [0, Infinity];
  if (c.shown === LESS_THAN_TEN) return [0, 9];
  return [Math.max(10, c.shown - 5), c.shown + 4];
}

export class DisclosureControl {
  private readonly cells = new Map<string, Cell>();
  private readonly sums: Sum[] = [];
  private readonly totals = new Set<string>();
  /** Complementary suppressions made by `apply`, in order (for tests and reports). */
  readonly complements: string[] = [];

  /**
   * A count. `suppress`: the population rule withholds it (it is then protected like a `< 10`).
   * `hidden`: never shown, only part of a sum (it is unbounded for the reader).
   */
  add(key: string, value: number, options: { suppress?: boolean; hidden?: boolean } = {}): this {
    if (this.cells.has(key)) throw new Error(`cell ${key} added twice`);
    const hidden = options.hidden ?? false;
    const shown = hidden || options.suppress ? null : roundCount(value);
    this.cells.set(key, { value, hidden, protected: !hidden && (options.suppress === true || shown === LESS_THAN_TEN), shown });
    return this;
  }

  has(key: string): boolean {
    return this.cells.has(key);
  }

  /** `total` is the sum of `parts` (a breakdown, a municipality of its tables, a whole of a subset and its remainder). */
  sum(total: string, parts: string[]): this {
    for (const k of [total, ...parts]) if (!this.cells.has(k)) throw new Error(`sum over unknown cell ${k}`);
    const actual = parts.reduce((s, p) => s + this.cells.get(p)!.value, 0);
    if (actual !== this.cells.get(total)!.value) throw new Error(`${total} is ${this.cells.get(total)!.value}, its parts add up to ${actual}`);
    this.sums.push({ total, parts });
    this.totals.add(total);
    return this;
  }

  /** Runs the complementary suppression; afterwards `shown` answers for every cell. */
  apply(): this {
    for (let step = 0; step <= this.cells.size; step++) {
      const bounds = this.bounds();
      const revealed = [...this.cells].find(([k, c]) => c.protected && bounds.get(k)![0] >= 1);
      if (!revealed) return this;
      const complement = this.complementFor(revealed[0]);
      if (!complement) throw new Error(`nothing left to suppress for ${revealed[0]}`);
      this.cells.get(complement)!.shown = null;
      this.complements.push(complement);
    }
    throw new Error('complementary suppression did not settle');
  }

  shown(key: string): ShownCount {
    const c = this.cells.get(key);
    if (!c) throw new Error(`unknown cell ${key}`);
    return c.hidden ? null : c.shown;
  }

  /** What a reader of every shown figure can derive: each cell's interval, narrowed through every sum. */
  bounds(): Map<string, Bound> {
    const b = new Map<string, Bound>([...this.cells].map(([k, c]) => [k, interval(c)]));
    const narrow = (key: string, lo: number, hi: number): boolean => {
      const [l, h] = b.get(key)!;
      const next: Bound = [Math.max(l, lo), Math.min(h, hi)];
      if (next[0] === l && next[1] === h) return false;
      b.set(key, next);
      return true;
    };
    // Each pass narrows some bound by at least 1 or stops; bounds are integers between 0 and the largest shown figure + 4.
    for (let pass = 0; pass < 10_000; pass++) {
      let changed = false;
      for (const { total, parts } of this.sums) {
        let loSum = 0;
        let hiFinite = 0;
        let hiInfinite = 0;
        for (const p of parts) {
          const [lo, hi] = b.get(p)!;
          loSum += lo;
          if (hi === Infinity) hiInfinite++;
          else hiFinite += hi;
        }
        changed = narrow(total, loSum, hiInfinite ? Infinity : hiFinite) || changed;
        const [tLo, tHi] = b.get(total)!;
        for (const p of parts) {
          const [lo, hi] = b.get(p)!;
          const othersHi = hiInfinite - (hi === Infinity ? 1 : 0) > 0 ? Infinity : hiFinite - (hi === Infinity ? 0 : hi);
          const othersLo = loSum - lo;
          changed = narrow(p, Math.max(0, tLo - othersHi), tHi - othersLo) || changed;
        }
      }
      if (!changed) return b;
    }
    throw new Error('interval propagation did not settle');
  }

  /**
   * The figure to suppress so that `key` is no longer revealed: one that shares a sum with it and is still
   * shown: a breakdown cell before a total, a rounded figure before a `< 10`, the smallest first. When every
   * such figure is suppressed already, the nearest shown figure further along the sums.
   */
  private complementFor(key: string): string | undefined {
    const seen = new Set([key]);
    let frontier = [key];
    while (frontier.length) {
      const neighbours = new Set<string>();
      for (const k of frontier) {
        for (const s of this.sums) {
          if (s.total !== k && !s.parts.includes(k)) continue;
          for (const n of [s.total, ...s.parts]) if (!seen.has(n)) neighbours.add(n);
        }
      }
      const candidates = [...neighbours].filter((n) => {
        const c = this.cells.get(n)!;
        return !c.hidden && c.shown !== null;
      });
      if (candidates.length) {
        const rank = (n: string) => {
          const c = this.cells.get(n)!;
          return [c.shown === LESS_THAN_TEN ? 1 : 0, this.totals.has(n) ? 1 : 0, c.value];
        };
        return candidates.sort((a, b) => {
          const [ra, rb] = [rank(a), rank(b)];
          return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2] || a.localeCompare(b);
        })[0];
      }
      for (const n of neighbours) seen.add(n);
      frontier = [...neighbours];
    }
    return undefined;
  }
}
