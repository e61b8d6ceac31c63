import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainException, PROBLEM_CONTENT_TYPE, ProblemDetails, problemType, statusTitle, ValidationProblem } from './problem';

/** Turns anything thrown into RFC 9457 problem+json. No stack trace or SQL ever reaches the client. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(exception, request);
    if (problem.status >= 500) {
      this.logger.error({ err: exception, traceId: request.id }, 'unhandled error');
    }
    sendProblem(reply, problem);
  }
}

export function sendProblem(reply: FastifyReply, problem: ProblemDetails): void {
  if (problem.status === 429 && typeof problem.retryAfter === 'number') reply.header('Retry-After', String(problem.retryAfter));
  if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer');
  reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

export function toProblem(exception: unknown, request: FastifyRequest): ProblemDetails {
  const instance = request.url.split('?')[0];
  const base = (status: number, detail?: string): ProblemDetails => ({
    type: problemType(status),
    title: statusTitle(status),
    status,
    ...(detail ? { detail } : {}),
    instance,
  });

  if (exception instanceof ValidationProblem) {
    return { ...base(400, exception.message), code: 'invalid_input', invalidParams: exception.invalidParams };
  }
  if (exception instanceof DomainException) {
    // Extensions never override the RFC 9457 members (an extension named `status` once did).
    return { ...exception.extensions, ...base(exception.getStatus(), exception.message), code: exception.code };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response && 'type' in response && 'title' in response) {
      return { ...(response as ProblemDetails), status, instance };
    }
    const detail = status === 404 && /^Cannot /.test(exception.message) ? 'No resource exists at this path.' : exception.message;
    return base(status, status >= 500 ? undefined : detail);
  }
  // Errors raised by Fastify itself (bad JSON, wrong content type, body too large) carry a 4xx statusCode.
  const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const detail =
      fastifyError.statusCode === 415
        ? 'Unsupported content type; send application/json.'
        : fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(fastifyError.message ?? '')
          ? 'The request body is not valid JSON.'
          : fastifyError.statusCode === 413
            ? 'The request body is too large.'
            : 'The request could not be processed.';
    return base(fastifyError.statusCode, detail);
  }
  return base(500, 'An unexpected error occurred; it has been logged with the request id.');
}
