import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { negotiateMediaType } from '../common/content-negotiation';
import { DomainException, ProblemDetails, problemType, statusTitle, ValidationProblem } from '../common/problem';
import { ProblemFilter } from '../common/problem.filter';
import { AuthError } from './auth.errors';

/** The `error` values of RFC 6749 section 5.2 the token endpoint answers with. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope';

/** The realm of the token endpoint's HTTP Basic authentication. */
export const TOKEN_REALM = 'ketentafel';

/**
 * A token-endpoint error (RFC 6749 section 5.2). Rendered by OAuthErrorFilter with the RFC's members and the
 * problem members, so it is both what an OAuth2 library expects and what the house promises on every error.
 */
export class OAuthError extends DomainException {
  constructor(
    status: 400 | 401,
    readonly error: OAuthErrorCode,
    code: AuthError,
    description: string,
  ) {
    super(status, code, description);
  }
}

export const invalidClient = (description: string) => new OAuthError(401, 'invalid_client', AuthError.InvalidClient, description);
export const invalidRequest = (description: string) => new OAuthError(400, 'invalid_request', AuthError.InvalidRequest, description);

/** RFC 6749 allows only printable ASCII without `"` and `\` in error_description. */
const rfcDescription = (s: string) => s.replace(/["\\]/g, "'").replace(/[^\x20-\x7E]/g, '?');

/** Served as application/json (what RFC 6749 says), or as problem+json when the client's Accept prefers that. */
export const TOKEN_ERROR_TYPES = ['application/json', 'application/problem+json'] as const;

export function sendOAuthError(request: FastifyRequest, reply: FastifyReply, e: OAuthError, extra: Partial<ProblemDetails> = {}): void {
  const status = e.getStatus();
  const body: ProblemDetails & { error: string; error_description: string } = {
    error: e.error,
    error_description: rfcDescription(e.message),
    type: problemType(status),
    title: statusTitle(status),
    status,
    detail: e.message,
    instance: request.url.split('?')[0],
    code: e.code,
    ...extra,
  };
  // RFC 9110 requires a challenge on every 401. HTTP Basic is the only HTTP authentication scheme this endpoint
  // takes, so it is the challenge whether the client tried Basic (where RFC 6749 section 5.2 requires it), sent
  // its secret in the body or a client assertion: it tells the client how it could authenticate.
  if (status === 401) reply.header('WWW-Authenticate', `Basic realm="${TOKEN_REALM}", charset="UTF-8"`);
  reply.header('Pragma', 'no-cache');
  const type = negotiateMediaType(request.headers.accept, TOKEN_ERROR_TYPES) ?? TOKEN_ERROR_TYPES[0];
  reply.status(status).type(type).send(body);
}

/**
 * The token endpoint's errors as RFC 6749 says: OAuthErrors, and field errors as `invalid_request` naming the
 * fields. Anything else (rate limit, database or Redis down) is not an OAuth error and is rendered by the
 * global ProblemFilter as everywhere else.
 */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly problems = new ProblemFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (exception instanceof OAuthError) return sendOAuthError(request, reply, exception);
    if (exception instanceof ValidationProblem) {
      const fields = exception.invalidParams.map((p) => `${p.name} ${p.reason}`).join('; ');
      return sendOAuthError(request, reply, invalidRequest(`Invalid request parameters: ${fields}.`), { invalidParams: exception.invalidParams });
    }
    this.problems.catch(exception, host);
  }
}
