/**
 * The statistics' period: one whole calendar quarter in Europe/Amsterdam, named `2026-Q3`.
 *
 * Only single quarters are served, never arbitrary ranges or several quarters at once: two overlapping
 * periods (1 January to 31 March and 1 January to 30 March, or a half year and one of its quarters) could be
 * subtracted to isolate the few events between them, which rounding alone does not hide. Quarters are
 * disjoint, so no combination of periods is finer than one quarter. A year is four quarters the caller adds.
 */
/** Years 2000 to 2099: nothing this system holds is older, and a date before year 1 is not a date. */
export const QUARTER_PATTERN = /^(20\d\d)-Q([1-4])$/;

export interface Quarter {
  /** `2026-Q3`. */
  code: string;
  year: number;
  quarter: 1 | 2 | 3 | 4;
  /** First day, `YYYY-MM-DD`, inclusive (its midnight in Europe/Amsterdam is the period's first instant). */
  from: string;
  /** Last day, `YYYY-MM-DD`, inclusive. */
  through: string;
  /** The day after the last, exclusive (its midnight in Europe/Amsterdam ends the period). */
  until: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function quarterOf(year: number, quarter: 1 | 2 | 3 | 4): Quarter {
  const firstMonth = (quarter - 1) * 3 + 1;
  const from = `${year}-${pad(firstMonth)}-01`;
  const until = quarter === 4 ? `${year + 1}-01-01` : `${year}-${pad(firstMonth + 3)}-01`;
  const lastDay = new Date(Date.UTC(year, firstMonth + 2, 0)).getUTCDate(); // day 0 of the next month: the last of this one
  return { code: `${year}-Q${quarter}`, year, quarter, from, through: `${year}-${pad(firstMonth + 2)}-${pad(lastDay)}`, until };
}

/** `2026-Q3` as a Quarter; undefined for anything else. */
export function parseQuarter(code: string): Quarter | undefined {
  const m = QUARTER_PATTERN.exec(code);
  return m ? quarterOf(Number(m[1]), Number(m[2]) as 1 | 2 | 3 | 4) : undefined;
}

/** The quarter a calendar date (`YYYY-MM-DD`, e.g. the Clock's today in Amsterdam) falls in. */
export function quarterContaining(date: string): Quarter {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return quarterOf(year, (Math.floor((month - 1) / 3) + 1) as 1 | 2 | 3 | 4);
}

/** As Dutch officials write it: `2026 3e kwartaal`. */
export const quarterLabelNl = (q: Quarter) => `${q.year} ${q.quarter}e kwartaal`;
