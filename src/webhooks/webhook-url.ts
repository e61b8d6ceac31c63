import { registerDecorator, ValidationArguments } from 'class-validator';

export const WEBHOOK_URL_MAX_LENGTH = 2000;

/**
 * Whether targets must use https: in production they must; elsewhere http is allowed too (a receiver on
 * loopback in tests and development). Set from the configuration when the webhooks module starts, and read
 * by the DTO validator, which class-validator constructs itself (as `validatorNow()` for the Clock).
 */
let httpsOnly = true;

export function requireHttpsWebhooks(required: boolean): void {
  httpsOnly = required;
}

export function webhookUrlsMustUseHttps(): boolean {
  return httpsOnly;
}

/**
 * Why `raw` cannot be a webhook target, or undefined when it can: an absolute http(s) URL with a host,
 * without credentials (a secret in the URL ends up in every proxy's log; the signature authenticates the
 * sender), without a fragment, at most 2,000 characters.
 */
export function webhookUrlDefect(raw: unknown, requireHttps = httpsOnly): string | undefined {
  if (typeof raw !== 'string') return 'must be a string';
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) return `must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(raw)) return 'must not contain white space or control characters';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (requireHttps && url.protocol !== 'https:') return 'must use https';
  if (url.username || url.password) return 'must not hold credentials (a user name or password)';
  if (!url.hostname) return 'must name a host';
  if (raw.includes('#')) return 'must not have a fragment';
  return undefined;
}

/** What logs may say about a target: scheme, host and port; never its path or query, which may hold a token. */
export function webhookOrigin(raw: string): string {
  try {
    return new URL(raw).origin;
  } catch {
    return 'invalid';
  }
}

/** A webhook target URL (see `webhookUrlDefect`); the reason is the message. */
export function IsWebhookUrl(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isWebhookUrl',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown) => webhookUrlDefect(value) === undefined,
        defaultMessage: (args?: ValidationArguments) => webhookUrlDefect(args?.value) ?? 'is not a webhook URL',
      },
    });
}
