/**
 * When a temporary SMTP failure is tried again: the wait after the n-th failed attempt, doubling from one
 * minute and capped at four hours. Fourteen attempts span about 24 hours (1+2+4+…+128 minutes, then five
 * times 4 hours); after the last one the e-mail is `failed`. A lapsed lease (a crashed dispatcher) counts as
 * an attempt too, so a message that crashes its sender cannot be tried forever.
 */
export const MAIL_RETRY_DELAYS_MINUTES: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 240, 240, 240, 240, 240];
export const MAIL_MAX_ATTEMPTS = MAIL_RETRY_DELAYS_MINUTES.length + 1;

/** The wait before the next attempt after `attempts` failed ones, or null when none is left. */
export function retryDelayMs(attempts: number): number | null {
  if (attempts < 1 || attempts >= MAIL_MAX_ATTEMPTS) return null;
  return MAIL_RETRY_DELAYS_MINUTES[attempts - 1] * 60_000;
}

export interface SmtpFailure {
  /** True when sending the same message again cannot succeed (a 5xx answer, an address the server refuses). */
  permanent: boolean;
  /** What is stored and logged: `smtp_<reply code>` or Nodemailer's error code; never the server's text, which may quote the address. */
  code: string;
}

/** Failures that no retry fixes although the server never answered 5xx: a message Nodemailer cannot build. */
const PERMANENT_WITHOUT_REPLY = new Set(['EENVELOPE', 'EMESSAGE']);

/**
 * Classifies a failed send. A 5xx reply is permanent, except a refused login (535, `EAUTH`): that is the
 * configuration's fault and every message would fail alike, so it is retried while an operator fixes it.
 * 4xx replies, refused or dropped connections and timeouts are temporary.
 */
export function classifySmtpFailure(error: unknown): SmtpFailure {
  const e = (error ?? {}) as { code?: unknown; responseCode?: unknown; name?: unknown };
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e.code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(e.code) ? e.code : 'EUNKNOWN';
  if (reply !== undefined && reply >= 500 && reply < 600) return { permanent: code !== 'EAUTH', code: `smtp_${reply}` };
  if (reply !== undefined && reply >= 400 && reply < 500) return { permanent: false, code: `smtp_${reply}` };
  return { permanent: PERMANENT_WITHOUT_REPLY.has(code), code };
}
