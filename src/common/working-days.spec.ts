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
