import { addWorkingDays, isWorkingDay } from '../common/working-days';

/**
 * On which day an occasion falls, and until when it is still worth sending. Dates are ISO `YYYY-MM-DD` in
 * Europe/Amsterdam; "working day" is the Algemene termijnenwet's (src/common/working-days.ts).
 *
 * - Every occasion falls on a working day. `n` working days before a date is the working day from which
 *   the date is `n` working days away (an action due Tuesday 30 March 2027, after Good Friday and Easter
 *   Monday, is reminded 2 working days before on Wednesday 24 March: Thursday 25 and Tuesday 30 are left).
 *   `0` before a date is the date itself, or the working day before it when the date is not a working day.
 *   `n` after a date is the n-th working day after it (an action due Friday is first overdue on a working
 *   day on Monday).
 * - A sweep on a weekend or holiday therefore finds nothing that falls on that day. It still sends what is
 *   due and was missed (a worker that was down): an occasion is due from its day up to the date itself for a
 *   reminder (after the due date a reminder would be wrong), and up to CATCH_UP_WORKING_DAYS working days
 *   after its day for a notice or alert (an older one is no longer news; the worklist shows it).
 */
export type Direction = 'before' | 'after';

export const CATCH_UP_WORKING_DAYS = 5;

const DAY_MS = 86_400_000;
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T12:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The working day of the occasion `workingDays` before or after `date`. */
export function occasionDay(date: string, workingDays: number, direction: Direction): string {
  if (workingDays === 0) return isWorkingDay(date) ? date : addWorkingDays(date, -1);
  return addWorkingDays(date, direction === 'before' ? -workingDays : workingDays);
}

/** The last day on which the occasion is still sent. */
function lastDay(date: string, day: string, direction: Direction): string {
  return direction === 'before' ? date : addWorkingDays(day, CATCH_UP_WORKING_DAYS);
}

/** Whether the occasion of `date` is due `today`: its day has come and it is not stale yet. */
export function isDue(today: string, date: string, workingDays: number, direction: Direction): boolean {
  const day = occasionDay(date, workingDays, direction);
  return day <= today && today <= lastDay(date, day, direction);
}

/**
 * Every date (due date, deadline, meeting day) whose occasion is due `today`, earliest first. A calendar
 * range wide enough for the working days and any run of holidays is tried day by day: at most a few hundred
 * dates, and the answer is a contiguous few, which the sweep looks up by index.
 */
export function datesDue(today: string, workingDays: number, direction: Direction): string[] {
  const span = Math.ceil(((workingDays + CATCH_UP_WORKING_DAYS) * 7) / 5) + 21;
  const out: string[] = [];
  const [from, to] = direction === 'before' ? [0, span] : [-span, 0];
  for (let i = from; i <= to; i++) {
    const date = shift(today, i);
    if (isDue(today, date, workingDays, direction)) out.push(date);
  }
  return out;
}
