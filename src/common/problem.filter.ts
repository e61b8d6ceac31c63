import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { databaseFault } from '../db/database-faults';
import { ClientGoneError, requestAbandoned } from '../db/query-scope';
import type { RouteTable } from './http-hardening';
import { CommonError, DomainException, PROBLEM_CONTENT_TYPE, ProblemDetails, problemType, statusTitle, ValidationProblem } from './problem';

/** A stable `code` for every status, for problems that carry no code of their own (framework errors). */
const STATUS_CODE_NAMES: Record<number, CommonError> = {
  400: CommonError.BadRequest,
  401: CommonError.Unauthorized,
  403: CommonError.Forbidden,
  404: CommonError.NotFound,
  405: CommonError.MethodNotAllowed,
  406: CommonError.NotAcceptable,
  408: CommonError.RequestTimeout,
  409: CommonError.Conflict,
  412: CommonError.PreconditionFailed,
  413: CommonError.PayloadTooLarge,
  414: CommonError.UriTooLong,
  415: CommonError.UnsupportedMediaType,
  429: CommonError.TooManyRequests,
  431: CommonError.HeadersTooLarge,
  500: CommonError.InternalError,
  503: CommonError.ServiceUnavailable,
};
export const codeForStatus = (status: number): CommonError => STATUS_CODE_NAMES[status] ?? (status >= 500 ? CommonError.InternalError : CommonError.BadRequest);

/** Internal marker for Nest's "Cannot GET /x" (no route matched); answered as 404 or 405. */
const NO_ROUTE = 'no_route';

/** Fastify's own error codes, mapped to ours (never sent to the client as they are). */
const FASTIFY_ERRORS: Record<string, [number, CommonError, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, CommonError.PayloadTooLarge, 'The request body is too large.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, CommonError.UnsupportedMediaType, 'Unsupported content type; send application/json (or application/merge-patch+json on PATCH).'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, CommonError.InvalidJson, 'The request body is not valid JSON.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, CommonError.InvalidJson, 'The request body is empty; send a JSON object.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, CommonError.BadRequest, 'The Content-Length header does not match the body.'],
};

/** Turns anything thrown into RFC 9457 problem+json. No stack trace or SQL ever reaches the client. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  constructor(private readonly routes?: RouteTable) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (requestAbandoned() && (isClientGone(exception) || databaseFault(exception))) {
      // Nobody is listening: not a fault to alert on. 499 is only there to end the reply.
      this.logger.log({ traceId: request.id, method: request.method, route: request.routeOptions?.url }, 'request abandoned by its client; its statements were cancelled');
      sendProblem(reply, { type: problemType(499), title: 'Client Closed Request', status: 499, code: CommonError.ClientGone });
      return;
    }
    const fault = databaseFault(exception);
    if (fault) {
      // One structured line per request: the kind and the SQLSTATE, never the message, query or parameters.
      this.logger.warn({ traceId: request.id, method: request.method, route: request.routeOptions?.url, problemCode: fault.code, cause: fault.cause }, 'database fault');
      const instance = instanceOf(request);
      sendProblem(reply, { type: problemType(503), title: statusTitle(503), status: 503, detail: fault.detail, ...(instance ? { instance } : {}), code: fault.code, retryAfter: fault.retryAfter });
      return;
    }
    let problem = toProblem(exception, request);
    if (problem.status === 404 && problem.code === NO_ROUTE && this.routes) {
      // The path exists under other methods: 405 with Allow, as RFC 9110 says.
      const allowed = this.routes.allowed(request.url.split('?')[0]);
      // A route of the method itself can answer 404 too (a static file it does not have): that stays 404.
      if (allowed.length && !allowed.includes(request.method)) {
        reply.header('Allow', allowed.join(', '));
        problem = { ...problem, type: problemType(405), title: statusTitle(405), status: 405, code: CommonError.MethodNotAllowed, detail: `This resource does not support ${request.method}.` };
      }
    }
    if (problem.code === NO_ROUTE) problem = { ...problem, code: CommonError.NotFound };
    if (problem.status >= 500) {
      this.logger.error({ err: loggableError(exception), traceId: request.id, method: request.method, route: request.routeOptions?.url }, 'unhandled error');
    }
    sendProblem(reply, problem);
  }
}

/**
 * What of an unexpected error may be logged. Not its SQL parameters, the driver's `detail` ("Key (email)=(…)")
 * or a message that quotes input (`invalid input syntax for type uuid: "…"`): any of those may be personal
 * data. The error's class, SQLSTATE, constraint and the stack frames (not the message line) say where to look.
 */
export function loggableError(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { type: typeof e };
  const driver = (e as { driverError?: { code?: string; constraint?: string; routine?: string } }).driverError ?? (e as { code?: string; constraint?: string; routine?: string });
  const frames = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 12).join('\n');
  return {
    type: e.constructor?.name ?? e.name,
    ...(typeof driver.code === 'string' ? { code: driver.code } : {}),
    ...(driver.constraint ? { constraint: driver.constraint } : {}),
    ...(driver.routine ? { routine: driver.routine } : {}),
    stack: frames,
  };
}

/** When the answer itself does not know when to come back. */
const DEFAULT_RETRY_AFTER_SECONDS: Record<number, number> = { 429: 60, 503: 5 };

export function sendProblem(reply: FastifyReply, problem: ProblemDetails): void {
  // RFC 9110 section 10.2.3; the ADR and clients expect it on every 429 and 503. A source that knows better
  // (the rate limiters, a database fault) sets `retryAfter`; anything else (a readiness check) gets the default.
  if (problem.status === 429 || problem.status === 503) {
    const seconds = typeof problem.retryAfter === 'number' && problem.retryAfter > 0 ? Math.ceil(problem.retryAfter) : DEFAULT_RETRY_AFTER_SECONDS[problem.status];
    reply.header('Retry-After', String(seconds));
  }
  if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer');
  reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

const isClientGone = (e: unknown) => e instanceof ClientGoneError || (e as { driverError?: unknown })?.driverError instanceof ClientGoneError;

/** Only a path that matched a route is echoed as `instance`: an unmatched one is whatever the client sent. */
const instanceOf = (request: FastifyRequest) => (request.routeOptions?.url ? request.url.split('?')[0] : undefined);

export function toProblem(exception: unknown, request: FastifyRequest): ProblemDetails {
  const instance = instanceOf(request);
  const base = (status: number, detail?: string, code: string = codeForStatus(status)): ProblemDetails => ({
    type: problemType(status),
    title: statusTitle(status),
    status,
    ...(detail ? { detail } : {}),
    ...(instance ? { instance } : {}),
    code,
  });

  if (exception instanceof ValidationProblem) {
    return { ...base(400, exception.message), code: CommonError.InvalidInput, invalidParams: exception.invalidParams };
  }
  if (exception instanceof DomainException) {
    // Extensions never override the RFC 9457 members (an extension named `status` once did).
    return { ...exception.extensions, ...base(exception.getStatus(), exception.message), code: exception.code };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response && 'type' in response && 'title' in response) {
      return { code: codeForStatus(status), ...(response as ProblemDetails), status, ...(instance ? { instance } : {}) };
    }
    if (status === 404 && /^Cannot /.test(exception.message)) return base(404, 'No resource exists at this path.', NO_ROUTE);
    return base(status, status >= 500 ? undefined : exception.message);
  }
  // Errors raised by Fastify itself (bad JSON, wrong content type, body too large) carry a 4xx statusCode.
  const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
  const known = fastifyError?.code ? FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (known) return base(known[0], known[2], known[1]);
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return base(fastifyError.statusCode, 'The request could not be processed.');
  }
  return base(500, 'An unexpected error occurred; it has been logged with the request id.');
}
