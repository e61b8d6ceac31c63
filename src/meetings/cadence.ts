import { RRule } from 'rrule';
import type { HolidayPolicy } from '../tables/table.entity';
import { addWorkingDays, isPublicHoliday, TIME_ZONE } from '../common/working-days';

export interface Occurrence {
  /** The cadence occurrence itself: what a generated meeting is keyed on, even after it was moved. */
  slot: Date;
  /** When the meeting takes place after the holiday policy was applied. */
  scheduledAt: Date;
}

export const DEFAULT_HOUR = 10;
export const DEFAULT_MINUTE = 0;
/**
 * The table's RRULE carries no DTSTART. A fixed anchor (a Monday) gives rules with an INTERVAL the same
 * phase on every run, so generating twice yields the same slots.
 */
export const CADENCE_ANCHOR = '2024-01-01';
/** A bound on the meetings one generation makes, whatever the rule says. */
const MAX_OCCURRENCES = 1000;
const DAY_MS = 86_400_000;

const wallClock = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Minutes Amsterdam is ahead of UTC at `instant` (60 in winter, 120 in summer). */
function offsetMinutes(instant: number): number {
  const parts = Object.fromEntries(wallClock.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return Math.round((local - Math.floor(instant / 1000) * 1000) / 60_000);
}

/** The UTC instant of a wall-clock time in Amsterdam; independent of the process's own time zone. */
export function amsterdamInstant(date: string, hour: number, minute: number): Date {
  const wall = Date.parse(`${date}T00:00:00Z`) + (hour * 60 + minute) * 60_000;
  // Two passes: the offset at the first guess can differ from the offset at the answer near a DST change.
  const guess = wall - offsetMinutes(wall) * 60_000;
  return new Date(wall - offsetMinutes(guess) * 60_000);
}

/**
 * Meetings of a cadence between two instants (slot in [from, to)), ascending.
 *
 * The rule is evaluated on Amsterdam wall-clock time ("floating"), then each occurrence is converted to
 * UTC. rrule's own TZID support computes offsets from the process's time zone and is only right when that
 * happens to be UTC; this way the answer is the same wherever the process runs, across DST changes.
 * On a Dutch public holiday the policy skips the meeting or moves it to the next or previous working day
 * at the same local time. A move onto another occurrence's time yields one meeting, not two.
 */
export function occurrences(rrule: string, holidayPolicy: HolidayPolicy, from: Date, to: Date, anchor = CADENCE_ANCHOR): Occurrence[] {
  const options = RRule.parseString(rrule);
  const rule = new RRule({ ...options, tzid: null, dtstart: new Date(`${anchor}T${pad(DEFAULT_HOUR)}:${pad(DEFAULT_MINUTE)}:00Z`) });
  // A day of margin either side covers the UTC offset; the exact window is applied to the real instants.
  const floatingFrom = new Date(from.getTime() - DAY_MS + offsetMinutes(from.getTime()) * 60_000);
  const floatingTo = new Date(to.getTime() + DAY_MS + offsetMinutes(to.getTime()) * 60_000);
  const result: Occurrence[] = [];
  const taken = new Set<number>();
  for (const local of rule.between(floatingFrom, floatingTo, true, (_, i) => i < MAX_OCCURRENCES)) {
    const date = local.toISOString().slice(0, 10);
    const [hour, minute] = [local.getUTCHours(), local.getUTCMinutes()];
    const slot = amsterdamInstant(date, hour, minute);
    if (slot < from || slot >= to) continue;
    const moved = meetingDate(date, holidayPolicy);
    if (!moved) continue;
    const scheduledAt = moved === date ? slot : amsterdamInstant(moved, hour, minute);
    if (taken.has(scheduledAt.getTime())) continue;
    taken.add(scheduledAt.getTime());
    result.push({ slot, scheduledAt });
  }
  return result;
}

/** The date the meeting of an occurrence on `date` takes place, or undefined when it is skipped. */
function meetingDate(date: string, policy: HolidayPolicy): string | undefined {
  if (!isPublicHoliday(date)) return date;
  if (policy === 'next_working_day') return addWorkingDays(date, 1);
  if (policy === 'previous_working_day') return addWorkingDays(date, -1);
  return undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');
