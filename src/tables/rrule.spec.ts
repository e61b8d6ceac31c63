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
  ])('judges %s as a plausible RRULE: %s', (rule, plausible) => {
    expect(isPlausibleRrule(rule)).toBe(plausible);
  });
});
