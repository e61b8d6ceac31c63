import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { Logger, Params } from 'nestjs-pino';
import pino from 'pino';
import pinoPretty from 'pino-pretty';
import { AppConfig, LogFormat } from '../config/app-config';

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
 * JSON for machines, one readable coloured line per event for a person at a terminal: LOG_FORMAT when set,
 * else pretty where stdout is a terminal outside production, else JSON (a log collector, a pipe, a file).
 */
export function logFormat(config: Pick<AppConfig, 'LOG_FORMAT' | 'NODE_ENV'>, stdoutIsTty: boolean): LogFormat {
  return config.LOG_FORMAT ?? (stdoutIsTty && config.NODE_ENV !== 'production' ? 'pretty' : 'json');
}

/** Where the log lines go: an asynchronous destination for JSON, pino-pretty (on the main thread) for a person. */
function destination(config: AppConfig): pino.DestinationStream {
  const tty = process.stdout.isTTY === true;
  if (logFormat(config, tty) === 'json') return pino.destination({ sync: false });
  return pinoPretty({
    colorize: tty,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,traceId',
    messageFormat: (log, messageKey) => `${log.context ? `[${String(log.context)}] ` : ''}${String(log[messageKey] ?? '')}`,
  });
}

/** Nest's own start-up chatter: one line per module, controller and route, useful only when debugging. */
const BOOTSTRAP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * nestjs-pino's Nest logger, with Nest's start-up lines ("Mapped {…} route", "… dependencies initialized")
 * at debug instead of info: at LOG_LEVEL=info a start shows what happened, not ~150 lines of wiring.
 */
export class AppLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context)) return this.pino.debug(message, ...optionalParams);
    return this.pino.log(message, ...optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.pino.error(message, ...optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.pino.warn(message, ...optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.pino.debug(message, ...optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.pino.verbose(message, ...optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.pino.fatal(message, ...optionalParams);
  }
}

/**
 * Structured logs with the request id on every line. Only method, route path (no query string),
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
      ...(silent ? {} : { stream: destination(config) }),
    },
  };
}
