import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from '../config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Secrets that travel in a path (calendar-feed tokens, which calendar clients cannot send as a header). */
export const redactPath = (path: string): string => path.replace(/(\/calendar-feeds\/)[^/]+(\/events)/, '$1[redacted]$2');

/**
 * Uses a well-formed incoming X-Request-Id, else a new UUID; it is the trace id of everything the request
 * does. Cached on the raw request so that Fastify and the logger agree on it.
 */
export function requestId(req: IncomingMessage): string {
  const cached = req as IncomingMessage & { traceId?: string };
  if (cached.traceId) return cached.traceId;
  const incoming = req.headers['x-request-id'];
  cached.traceId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  return cached.traceId;
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
      customAttributeKeys: { reqId: 'traceId' },
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
