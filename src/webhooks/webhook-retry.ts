/**
 * When a delivery is attempted again after a failed attempt: the schedule of the Standard Webhooks
 * specification, without jitter, so that an operator (and a test) can tell when the next one comes. The
 * first attempt is made as soon as a dispatcher runs (every 2 s); after it, retries follow 5 seconds,
 * 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours and 10 hours after each failure: 8 attempts over
 * 27 h 35 min 5 s plus the attempts' own durations, so a receiver may be down for more than a day
 * without losing anything. After the 8th failure the delivery is `failed`.
 */
export const RETRY_DELAYS_SECONDS = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600] as const;

export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** After `attempts` failed attempts (1 or more): the time of the next one, or null when that was the last. */
export function nextAttemptAfter(attempts: number, failedAt: Date): Date | null {
  const delay = RETRY_DELAYS_SECONDS[attempts - 1];
  return delay === undefined ? null : new Date(failedAt.getTime() + delay * 1000);
}
