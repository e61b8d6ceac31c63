/** The outcome of one POST: a status when the receiver answered, an error code when it did not. */
export interface SendOutcome {
  ok: boolean;
  status: number | null;
  /** `http_<status>` for an answer other than 2xx, `timeout`, or the network error's code (lower case); null when ok. */
  error: string | null;
}

const USER_AGENT = 'Ketentafel-Webhooks/1.0';

/**
 * POSTs one webhook. Bounded: `timeoutMs` covers everything up to the response headers (DNS, connecting,
 * TLS, sending, waiting; Node's fetch also gives up connecting after 10 s by itself). Redirects are not
 * followed (a 3xx is a failure: the target is what was subscribed, and a redirect would carry the signed
 * body elsewhere). The response body is never read: only the status counts, and the body is cancelled at
 * once, so a receiver that streams an endless answer holds nothing.
 */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendOutcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: { ...headers, 'user-agent': USER_AGENT },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { ok, status: res.status, error: ok ? null : `http_${res.status}` };
  } catch (e) {
    return { ok: false, status: null, error: networkError(e) };
  }
}

function networkError(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: unknown; name?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || err.cause?.name === 'ConnectTimeoutError') return 'timeout';
  const code = err.cause?.code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return 'timeout';
  return typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? code.toLowerCase() : 'connection_failed';
}
