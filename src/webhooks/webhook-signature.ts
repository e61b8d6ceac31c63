import { Webhook } from 'standardwebhooks';

export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The Standard Webhooks headers of one attempt: `webhook-signature` is `v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>">` under each secret given (the current one and, while a rotation's overlap
 * lasts, the previous one), separated by a space, so that a receiver holding either secret verifies it.
 * `at` is when the attempt is sent: receivers compare it with their own clock to refuse replays.
 */
export function signatureHeaders(id: string, body: string, secrets: string[], at: Date): SignatureHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' '),
  };
}
