import { isPlausibleRrule } from './rrule';

describe('isPlausibleRrule', () => {
  it.each([
    ['FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0', true],
    ['FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2;INTERVAL=1;WKST=MO', true],
    ['FREQ=WEEKLY;INTERVAL=2;UNTIL=20261231T230000Z', true],
    ['FREQ=MONTHLY;BYDAY=-1FR', true],
    ['FREQ=WEEKLY;', false],
    ['FREQ=WEEKLY;FREQ=DAILY', false],
    ['FREQ=FORTNIGHTLY', false],
    ['FREQ=WEEKLY;COUNT=3;UNTIL=20261231', false],
    ['RRULE:FREQ=WEEKLY', false],
    ['FREQ=WEEKLY;BYDAY=TUE', false],
    ['FREQ=DAILY', true],
    ['FREQ=HOURLY', false],
    ['FREQ=MINUTELY;INTERVAL=999', false],
    ['FREQ=SECONDLY', false],
    ['FREQ=DAILY;BYHOUR=9,10,11', false],
    ['FREQ=WEEKLY;BYHOUR=10;BYMINUTE=0,1,2,3', false],
  ])('judges %s as a plausible RRULE: %s', (rule, plausible) => {
    expect(isPlausibleRrule(rule)).toBe(plausible);
  });
});
