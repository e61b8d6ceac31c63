import { ValidateBy, ValidationOptions } from 'class-validator';

const DAY = '(MO|TU|WE|TH|FR|SA|SU)';
const list = (item: string) => new RegExp(`^${item}(,${item})*$`);
const inRange = (min: number, max: number, signed = false) => (value: string) =>
  value.split(',').every((v) => {
    if (!(signed ? /^[+-]?\d{1,3}$/ : /^\d{1,2}$/).test(v)) return false;
    const n = Math.abs(Number(v));
    return n >= min && n <= max;
  });

/**
 * Plausibility of each RFC 5545 rule part this product uses. Deliberately not a full RRULE engine: a later
 * issue brings one; until then a value that passes here is at least well-formed and free of stray text.
 */
const PARTS: Record<string, (value: string) => boolean> = {
  // A table meets at most daily. Sub-daily rules are refused: rrule steps from the cadence anchor (2024)
  // one occurrence at a time, so FREQ=SECONDLY held the event loop for minutes when meetings were generated.
  FREQ: (v) => /^(DAILY|WEEKLY|MONTHLY|YEARLY)$/.test(v),
  INTERVAL: (v) => /^[1-9]\d{0,2}$/.test(v),
  BYDAY: (v) => list(`[+-]?([1-9]|[1-4]\\d|5[0-3])?${DAY}`).test(v),
  // One time of day: lists of hours and minutes (up to one occurrence a minute) stalled generation for seconds.
  BYHOUR: (v) => /^\d{1,2}$/.test(v) && inRange(0, 23)(v),
  BYMINUTE: (v) => /^\d{1,2}$/.test(v) && inRange(0, 59)(v),
  BYMONTHDAY: inRange(1, 31, true),
  BYSETPOS: inRange(1, 366, true),
  UNTIL: (v) => /^\d{8}(T\d{6}Z?)?$/.test(v),
  COUNT: (v) => /^[1-9]\d{0,3}$/.test(v),
  WKST: (v) => new RegExp(`^${DAY}$`).test(v),
};

export const RRULE_EXAMPLE = 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0';

export function isPlausibleRrule(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 500 || !value.startsWith('FREQ=')) return false;
  const seen = new Set<string>();
  for (const part of value.split(';')) {
    const match = /^([A-Z]+)=([^;=]+)$/.exec(part);
    if (!match) return false;
    const [, key, val] = match;
    const check = PARTS[key];
    if (!check || seen.has(key) || !check(val)) return false;
    seen.add(key);
  }
  // RFC 5545 3.3.10: UNTIL and COUNT MUST NOT occur in the same rule.
  return !(seen.has('UNTIL') && seen.has('COUNT'));
}

export const IsRrule = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isRrule',
      validator: {
        validate: isPlausibleRrule,
        defaultMessage: () => `$property must be an RFC 5545 RRULE such as ${RRULE_EXAMPLE} (parts ${Object.keys(PARTS).join(', ')})`,
      },
    },
    options,
  );
