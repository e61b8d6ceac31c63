import { Agent as HttpAgent, type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** The outcome of one POST: a status when the receiver answered, an error code when it did not. */
export interface SendOutcome {
  ok: boolean;
  status: number | null;
  /** `http_<status>` for an answer other than 2xx, `timeout`, or the network error's code (lower case); null when ok. */
  error: string | null;
}

const USER_AGENT = 'Ketentafel-Webhooks/1.0';

/** How long an answer's body may take to drain (so that its connection can be used again) before it is cut. */
const DRAIN_MS = 2000;

/**
 * Kept-alive connections per origin, shared by the dispatcher's lanes. node:http rather than fetch: measured in
 * this repository's fan-out benchmark at about half the CPU per POST (fetch's web streams and abort machinery
 * cost more than the POST itself), and a webhook needs none of what fetch adds.
 */
const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 60_000 }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 60_000 }),
};

/**
 * POSTs one webhook. Bounded: `timeoutMs` covers everything up to the response headers (DNS, connecting,
 * TLS, sending, waiting). Redirects are not followed (a 3xx is a failure: the target is what was subscribed,
 * and a redirect would carry the signed body elsewhere). Only the status counts: the answer's body is never
 * read into memory, only drained for up to DRAIN_MS so the connection can carry the next POST, and cut after
 * that, so a receiver that streams an endless answer holds nothing. Never throws.
 */
export function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendOutcome> {
  return new Promise<SendOutcome>((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ ok: false, status: null, error: 'invalid_url' });
      return;
    }
    const agent = target.protocol === 'https:' ? agents['https:'] : target.protocol === 'http:' ? agents['http:'] : undefined;
    if (!agent) {
      resolve({ ok: false, status: null, error: 'invalid_url' });
      return;
    }
    let settled = false;
    let req: ClientRequest | undefined = undefined;
    const settle = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      settle({ ok: false, status: null, error: 'timeout' });
      req?.destroy();
    }, timeoutMs);
    const onResponse = (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const ok = status >= 200 && status < 300;
      settle({ ok, status, error: ok ? null : `http_${status}` });
      const cut = setTimeout(() => res.destroy(), DRAIN_MS);
      res.on('close', () => clearTimeout(cut));
      res.on('error', () => undefined);
      res.resume();
    };
    const options = {
      method: 'POST',
      agent,
      headers: { ...headers, 'user-agent': USER_AGENT, 'content-length': String(Buffer.byteLength(body)) },
    };
    req = target.protocol === 'https:' ? httpsRequest(target, options, onResponse) : httpRequest(target, options, onResponse);
    req.on('error', (e) => settle({ ok: false, status: null, error: networkError(e) }));
    req.end(body);
  });
}

function networkError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === 'ETIMEDOUT' || code === 'ECONNRESET_TIMEOUT') return 'timeout';
  return typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? code.toLowerCase() : 'connection_failed';
}
