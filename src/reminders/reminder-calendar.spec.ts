import { CATCH_UP_WORKING_DAYS, datesDue, isDue, occasionDay } from './reminder-calendar';

/**
 * 2027: Good Friday 26 March, Easter Monday 29 March, King's Day Tuesday 27 April, Liberation Day Wednesday
 * 5 May and Ascension Day Thursday 6 May are not working days (Algemene termijnenwet).
 */
describe('the day of a reminder, notice or alert', () => {
  it('counts working days before a due date past Good Friday, Easter Monday and the weekend', () => {
    // Due Tuesday 30 March: Thursday 25 and Tuesday 30 are the two working days left on Wednesday 24.
    expect(occasionDay('2027-03-30', 2, 'before')).toBe('2027-03-24');
    expect(occasionDay('2027-03-30', 1, 'before')).toBe('2027-03-25');
    // Before a due date on King's Day's Monday: Friday and Thursday.
    expect(occasionDay('2027-04-26', 2, 'before')).toBe('2027-04-22');
    // Due Friday 7 May: Ascension Day and Liberation Day are skipped.
    expect(occasionDay('2027-05-07', 2, 'before')).toBe('2027-05-03');
  });

  it('puts a day that is not a working day on the working day before it', () => {
    expect(occasionDay('2027-03-27', 0, 'before')).toBe('2027-03-25'); // Easter Saturday → Thursday, past Good Friday
    expect(occasionDay('2027-04-27', 0, 'before')).toBe('2027-04-26'); // King's Day → Monday
    expect(occasionDay('2027-04-28', 0, 'before')).toBe('2027-04-28');
  });

  it('counts working days after a due date: the first working day overdue, and the alert at 5, not at 4', () => {
    expect(occasionDay('2027-03-25', 1, 'after')).toBe('2027-03-30'); // Thursday → Tuesday after Easter
    expect(occasionDay('2027-04-26', 1, 'after')).toBe('2027-04-28'); // Monday → Wednesday after King's Day
    expect(occasionDay('2027-03-25', 5, 'after')).toBe('2027-04-05');
    expect(isDue('2027-04-02', '2027-03-25', 5, 'after')).toBe(false);
    expect(isDue('2027-04-05', '2027-03-25', 5, 'after')).toBe(true);
  });

  it('keeps a reminder due up to its date and a notice for a few working days, then drops it', () => {
    expect(isDue('2027-03-23', '2027-03-30', 2, 'before')).toBe(false);
    expect(isDue('2027-03-24', '2027-03-30', 2, 'before')).toBe(true);
    expect(isDue('2027-03-30', '2027-03-30', 2, 'before')).toBe(true);
    expect(isDue('2027-03-31', '2027-03-30', 2, 'before')).toBe(false);
    // The notice for an action due Thursday 25 March falls on Tuesday 30 March; it is caught up 5 working days.
    expect(CATCH_UP_WORKING_DAYS).toBe(5);
    expect(isDue('2027-04-06', '2027-03-25', 1, 'after')).toBe(true);
    expect(isDue('2027-04-07', '2027-03-25', 1, 'after')).toBe(false);
  });

  it('finds exactly the dates whose occasion is due today, and on a weekend none that falls on it', () => {
    const shift = (date: string, days: number) => new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    for (const today of ['2027-03-24', '2027-03-27', '2027-04-27', '2027-12-27']) {
      for (const [n, direction] of [[0, 'before'], [2, 'before'], [20, 'before'], [1, 'after'], [5, 'after'], [20, 'after']] as const) {
        // Against every date of half a year either side, tried one by one.
        const expected = Array.from({ length: 361 }, (_, i) => shift(today, i - 180)).filter((date) => isDue(today, date, n, direction));
        expect(datesDue(today, n, direction)).toEqual(expected);
        expect(expected.length).toBeGreaterThan(0);
      }
    }
    // Saturday 27 March (Easter weekend): the sweep catches up what fell on Thursday, nothing falls on Saturday.
    const saturday = '2027-03-27';
    for (const date of datesDue(saturday, 1, 'after')) expect(occasionDay(date, 1, 'after') < saturday).toBe(true);
    expect(datesDue(saturday, 2, 'before').map((d) => occasionDay(d, 2, 'before')).every((day) => day < saturday)).toBe(true);
    expect(datesDue('2027-03-24', 2, 'before')).toContain('2027-03-30');
  });
});
