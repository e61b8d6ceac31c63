import Holidays from 'date-holidays';

/** Dates are ISO `YYYY-MM-DD` in Europe/Amsterdam; all deadlines in the domain are counted in working days. */
export const TIME_ZONE = 'Europe/Amsterdam';

const holidays = new Holidays('NL');
const cache = new Map<number, Set<string>>();

/**
 * The days the Algemene termijnenwet (art. 3) counts as generally recognised holidays, besides weekends: New
 * Year's Day, Good Friday, Easter Monday, King's Day, 5 May (every year), Ascension Day, Whit Monday, Christmas
 * and Boxing Day (Easter and Whit Sunday fall on Sundays anyway). date-holidays' `public` type for NL leaves
 * out Good Friday and 5 May, so those two are added here from Easter and the calendar.
 */
export function publicHolidays(year: number): Set<string> {
  let set = cache.get(year);
  if (!set) {
    const list = holidays.getHolidays(year);
    set = new Set(list.filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    const easter = list.find((h) => h.rule === 'easter');
    if (!easter) throw new Error(`no Easter date for ${year}`);
    set.add(shift(easter.date.slice(0, 10), -2));
    set.add(`${year}-05-05`);
    cache.set(year, set);
  }
  return set;
}

export function isPublicHoliday(date: string): boolean {
  return publicHolidays(Number(date.slice(0, 4))).has(date);
}

export function isWorkingDay(date: string): boolean {
  const day = new Date(`${date}T12:00:00Z`).getUTCDay();
  return day !== 0 && day !== 6 && !isPublicHoliday(date);
}

const shift = (date: string, days: number) => new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** `n` working days after (or, negative, before) `date`; 0 gives `date` itself. */
export function addWorkingDays(date: string, n: number): string {
  let d = date;
  let left = Math.abs(n);
  const step = n < 0 ? -1 : 1;
  while (left > 0) {
    d = shift(d, step);
    if (isWorkingDay(d)) left--;
  }
  return d;
}

/** Working days from `from` (exclusive) to `to` (inclusive); negative when `to` is earlier. */
export function workingDaysBetween(from: string, to: string): number {
  if (from === to) return 0;
  const [a, b, sign] = from < to ? [from, to, 1] : [to, from, -1];
  let n = 0;
  for (let d = shift(a, 1); d <= b; d = shift(d, 1)) if (isWorkingDay(d)) n++;
  return n * sign;
}

// Made once: constructing an Intl.DateTimeFormat costs about a millisecond, and "today" is asked on every job.
const AMSTERDAM_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date in Amsterdam of an instant (for "today", pass the Clock's now: there is no default). */
export function amsterdamDate(instant: Date): string {
  return AMSTERDAM_DATE.format(instant);
}
