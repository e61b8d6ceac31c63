import { MAX_ATTEMPTS, nextAttemptAfter, RETRY_DELAYS_SECONDS } from './webhook-retry';

describe('the webhook retry schedule', () => {
  const t0 = new Date('2026-03-02T09:00:00Z');

  it('is the Standard Webhooks schedule: 8 attempts over more than 24 hours', () => {
    expect(RETRY_DELAYS_SECONDS).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(MAX_ATTEMPTS).toBe(8);
    expect(RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0)).toBe(27 * 3600 + 35 * 60 + 5);
  });

  it('gives the time of the next attempt after each failure, and none after the last', () => {
    expect(nextAttemptAfter(1, t0)).toEqual(new Date('2026-03-02T09:00:05Z'));
    expect(nextAttemptAfter(4, t0)).toEqual(new Date('2026-03-02T11:00:00Z'));
    expect(nextAttemptAfter(7, t0)).toEqual(new Date('2026-03-02T19:00:00Z'));
    expect(nextAttemptAfter(8, t0)).toBeNull();
  });
});
