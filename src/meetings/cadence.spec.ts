import { amsterdamInstant, occurrences } from './cadence';

const TUESDAY_10 = 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0';
const MONDAY_10 = 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=10;BYMINUTE=0';
const iso = (d: Date) => d.toISOString();
const at = (s: string) => new Date(s);
const slots = (list: { slot: Date }[]) => list.map((o) => iso(o.slot));
const scheduled = (list: { scheduledAt: Date }[]) => list.map((o) => iso(o.scheduledAt));

describe('occurrences of a table cadence (Europe/Amsterdam, Dutch public holidays)', () => {
  it('keeps 10:00 local time across the October 2026 DST change', () => {
    const sut = occurrences(TUESDAY_10, 'skip', at('2026-10-12T00:00:00Z'), at('2026-11-04T00:00:00Z'));
    expect(scheduled(sut)).toEqual(['2026-10-13T08:00:00.000Z', '2026-10-20T08:00:00.000Z', '2026-10-27T09:00:00.000Z', '2026-11-03T09:00:00.000Z']);
    expect(slots(sut)).toEqual(scheduled(sut));
  });

  it('keeps 10:00 local time across the March 2027 DST change', () => {
    const sut = occurrences(TUESDAY_10, 'skip', at('2027-03-15T00:00:00Z'), at('2027-04-07T00:00:00Z'));
    expect(scheduled(sut)).toEqual(['2027-03-16T09:00:00.000Z', '2027-03-23T09:00:00.000Z', '2027-03-30T08:00:00.000Z', '2027-04-06T08:00:00.000Z']);
  });

  it('takes 10:00 when the rule names no time, and the rule\'s time when it does', () => {
    expect(scheduled(occurrences('FREQ=WEEKLY;BYDAY=TH', 'skip', at('2026-12-01T00:00:00Z'), at('2026-12-08T00:00:00Z')))).toEqual(['2026-12-03T09:00:00.000Z']);
    expect(scheduled(occurrences('FREQ=WEEKLY;BYDAY=TH;BYHOUR=14;BYMINUTE=30', 'skip', at('2026-12-01T00:00:00Z'), at('2026-12-08T00:00:00Z')))).toEqual([
      '2026-12-03T13:30:00.000Z',
    ]);
  });

  describe('a Monday cadence meeting Tweede Paasdag 2027-03-29 (the day after the DST change)', () => {
    const from = at('2027-03-21T00:00:00Z');
    const to = at('2027-04-06T00:00:00Z');

    it('skips it', () => {
      expect(scheduled(occurrences(MONDAY_10, 'skip', from, to))).toEqual(['2027-03-22T09:00:00.000Z', '2027-04-05T08:00:00.000Z']);
    });

    it('moves it to Tuesday 2027-03-30 10:00 local, keeping the Monday as its slot', () => {
      const sut = occurrences(MONDAY_10, 'next_working_day', from, to);
      expect(scheduled(sut)).toEqual(['2027-03-22T09:00:00.000Z', '2027-03-30T08:00:00.000Z', '2027-04-05T08:00:00.000Z']);
      expect(iso(sut[1].slot)).toBe('2027-03-29T08:00:00.000Z');
    });

    it('moves it back to Thursday 2027-03-25 10:00 local (Good Friday is a holiday too), before the DST change', () => {
      const sut = occurrences(MONDAY_10, 'previous_working_day', from, to);
      expect(scheduled(sut)).toEqual(['2027-03-22T09:00:00.000Z', '2027-03-25T09:00:00.000Z', '2027-04-05T08:00:00.000Z']);
      expect(iso(sut[1].slot)).toBe('2027-03-29T08:00:00.000Z');
    });
  });

  describe("King's Day 2027-04-27, a Tuesday", () => {
    const from = at('2027-04-20T00:00:00Z');
    const to = at('2027-05-01T00:00:00Z');

    it.each([
      ['skip', ['2027-04-20T08:00:00.000Z']],
      ['next_working_day', ['2027-04-20T08:00:00.000Z', '2027-04-28T08:00:00.000Z']],
      ['previous_working_day', ['2027-04-20T08:00:00.000Z', '2027-04-26T08:00:00.000Z']],
    ] as const)('with policy %s', (policy, expected) => {
      expect(scheduled(occurrences(TUESDAY_10, policy, from, to))).toEqual(expected);
    });
  });

  it('yields one meeting when a moved occurrence lands on another one', () => {
    const sut = occurrences('FREQ=WEEKLY;BYDAY=MO,TU;BYHOUR=10', 'next_working_day', at('2027-03-28T00:00:00Z'), at('2027-03-31T00:00:00Z'));
    expect(sut.map((o) => [iso(o.slot), iso(o.scheduledAt)])).toEqual([['2027-03-29T08:00:00.000Z', '2027-03-30T08:00:00.000Z']]);
  });

  it('applies the window to the occurrences, half-open', () => {
    const sut = occurrences(TUESDAY_10, 'skip', at('2026-10-20T08:00:00Z'), at('2026-10-27T09:00:00Z'));
    expect(scheduled(sut)).toEqual(['2026-10-20T08:00:00.000Z']);
  });

  it('gives rules with an interval the same phase whatever the window', () => {
    const fortnightly = 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;BYHOUR=10';
    const wide = slots(occurrences(fortnightly, 'skip', at('2026-11-01T00:00:00Z'), at('2027-01-01T00:00:00Z')));
    const later = slots(occurrences(fortnightly, 'skip', at('2026-11-09T00:00:00Z'), at('2027-01-01T00:00:00Z')));
    const earlier = slots(occurrences(fortnightly, 'skip', at('2026-10-01T00:00:00Z'), at('2026-11-12T00:00:00Z')));
    const tuesdays = ['2026-11-03', '2026-11-10', '2026-11-17', '2026-11-24', '2026-12-01', '2026-12-08', '2026-12-15', '2026-12-22', '2026-12-29'];
    const first = tuesdays.indexOf(wide[0].slice(0, 10));
    expect(wide.map((s) => s.slice(0, 10))).toEqual(tuesdays.filter((_, i) => i >= first && (i - first) % 2 === 0));
    expect(wide).toEqual(expect.arrayContaining(later));
    expect(later.length).toBeGreaterThan(0);
    expect(earlier.filter((s) => s >= '2026-11-01')).toEqual(wide.filter((s) => s < '2026-11-12'));
  });

  it('converts Amsterdam wall-clock time to UTC on both sides of a DST change', () => {
    expect(iso(amsterdamInstant('2027-03-27', 10, 0))).toBe('2027-03-27T09:00:00.000Z');
    expect(iso(amsterdamInstant('2027-03-28', 10, 0))).toBe('2027-03-28T08:00:00.000Z');
    expect(iso(amsterdamInstant('2026-10-25', 1, 30))).toBe('2026-10-24T23:30:00.000Z');
  });
});
