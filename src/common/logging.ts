import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from '../config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;
/** W3C Trace Context, version 00: `00-<trace-id>-<parent-id>-<flags>`; all-zero ids are invalid. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Secrets that travel in a path (calendar-feed tokens, which calendar clients cannot send as a header). */
export const redactPath = (path: string): string => path.replace(/(\/calendar-feeds\/)[^/]+(\/events)/, '$1[redacted]$2');

type TracedRequest = IncomingMessage & { traceId?: string };

/** The trace id of an incoming W3C `traceparent`, if it is well-formed. */
export function incomingTraceId(header: string | string[] | undefined): string | undefined {
  const match = typeof header === 'string' ? TRACEPARENT.exec(header.trim()) : null;
  if (!match || /^0+$/.test(match[1]) || /^0+$/.test(match[2])) return undefined;
  return match[1];
}

/**
 * The trace id of everything the request does, and the processing log's `trace_id`: the trace id of an
 * incoming W3C `traceparent` (LDV links processing across organisations by trace context), else a
 * well-formed X-Request-Id, else a new W3C trace id. Cached on the raw request so that Fastify and the
 * logger agree on it.
 */
export function requestId(req: IncomingMessage): string {
  const cached = req as TracedRequest;
  if (cached.traceId) return cached.traceId;
  const incoming = req.headers['x-request-id'];
  cached.traceId =
    incomingTraceId(req.headers.traceparent) ??
    (typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomBytes(16).toString('hex'));
  return cached.traceId;
}

/** The `traceparent` to answer with: this request as a new span of the trace, when the trace id has W3C form. */
export function outgoingTraceparent(traceId: string): string | undefined {
  return /^[0-9a-f]{32}$/.test(traceId) ? `00-${traceId}-${randomBytes(8).toString('hex')}-01` : undefined;
}

/**
 * Structured JSON logs with the request id on every line. Only method, route path (no query string),
 * status and timing are logged for a request: never bodies, headers with credentials, or personal data.
 * The destination is asynchronous so that logging does not block the request path.
 */
export function loggerOptions(config: AppConfig): Params {
  const silent = config.NODE_ENV === 'test' || config.LOG_LEVEL === 'silent';
  return {
    pinoHttp: {
      level: silent ? 'silent' : config.LOG_LEVEL,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = requestId(req);
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // On every line the request logs, also those the application writes while handling it.
      customProps: (req: IncomingMessage) => ({ traceId: requestId(req) }),
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, path: redactPath(req.url.split('?')[0]) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
      redact: { paths: ['req.headers', 'password', '*.password', 'token', '*.token'], remove: true },
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health/live' || req.url === '/metrics' },
      // No stream at all when silent: an open asynchronous destination would outlive the app in tests.
      ...(silent ? {} : { stream: pino.destination({ sync: false }) }),
    },
  };
}
