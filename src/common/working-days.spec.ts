import { addWorkingDays, amsterdamDate, isWorkingDay, workingDaysBetween } from './working-days';

describe('working days (Europe/Amsterdam, Dutch public holidays)', () => {
  it('skips weekends and public holidays', () => {
    expect(isWorkingDay('2026-11-23')).toBe(true); // Monday
    expect(isWorkingDay('2026-11-22')).toBe(false); // Sunday
    expect(isWorkingDay('2026-04-27')).toBe(false); // Koningsdag
    expect(isWorkingDay('2026-12-25')).toBe(false); // Kerstmis
    expect(addWorkingDays('2026-12-24', 1)).toBe('2026-12-28'); // over Christmas and the weekend
    expect(addWorkingDays('2026-04-28', -1)).toBe('2026-04-24'); // back over King's Day and the weekend
    expect(addWorkingDays('2026-11-23', 0)).toBe('2026-11-23');
  });

  it('counts Good Friday and 5 May as holidays every year, as the Algemene termijnenwet does', () => {
    expect(isWorkingDay('2026-04-03')).toBe(false); // Goede Vrijdag 2026
    expect(isWorkingDay('2027-03-26')).toBe(false); // Goede Vrijdag 2027
    expect(isWorkingDay('2026-05-05')).toBe(false); // Bevrijdingsdag, a Tuesday in 2026
    expect(isWorkingDay('2027-05-05')).toBe(false); // and a Wednesday in 2027 (not a lustrum year)
    expect(isWorkingDay('2026-05-04')).toBe(true); // Dodenherdenking is no holiday
    // A deadline two working days after Maundy Thursday 2026 skips Good Friday, the weekend and Easter Monday.
    expect(addWorkingDays('2026-04-02', 2)).toBe('2026-04-08');
    expect(workingDaysBetween('2026-05-01', '2026-05-08')).toBe(4); // Mon 4, (Tue 5 May), Wed 6, Thu 7, Fri 8
  });

  it('counts working days between dates, signed', () => {
    expect(workingDaysBetween('2026-11-20', '2026-11-27')).toBe(5);
    expect(workingDaysBetween('2026-11-27', '2026-11-20')).toBe(-5);
    expect(workingDaysBetween('2026-12-24', '2026-12-28')).toBe(1);
  });

  it('takes the Amsterdam calendar date of an instant', () => {
    expect(amsterdamDate(new Date('2026-11-23T23:30:00Z'))).toBe('2026-11-24');
    expect(amsterdamDate(new Date('2026-07-01T21:59:00Z'))).toBe('2026-07-01');
  });
});
