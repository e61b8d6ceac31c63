import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';

/** The problem `code`s of every module (generic and HTTP-level): one code per meaning, stable for clients. */
export enum CommonError {
  NotFound = 'not_found',
  InvalidInput = 'invalid_input',
  IllegalTransition = 'illegal_transition',
  NotAcceptable = 'not_acceptable',
  NotReady = 'not_ready',
  InvalidJson = 'invalid_json',
  JsonTooDeep = 'json_too_deep',
  UnsupportedMediaType = 'unsupported_media_type',
  BadRequest = 'bad_request',
  BadUrl = 'bad_url',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  MethodNotAllowed = 'method_not_allowed',
  RequestTimeout = 'request_timeout',
  Conflict = 'conflict',
  PreconditionFailed = 'precondition_failed',
  PayloadTooLarge = 'payload_too_large',
  UriTooLong = 'uri_too_long',
  HeadersTooLarge = 'headers_too_large',
  TooManyRequests = 'too_many_requests',
  InternalError = 'internal_error',
  ServiceUnavailable = 'service_unavailable',
  // The database failed, not the request: 503 with Retry-After.
  DatabaseBusy = 'database_busy',
  DatabaseTimeout = 'database_timeout',
  LockTimeout = 'lock_timeout',
  TransactionConflict = 'transaction_conflict',
  DatabaseUnavailable = 'database_unavailable',
  /** Never seen by a client (status 499, nginx's "client closed request"): it left before the answer. */
  ClientGone = 'client_gone',
}

/** Every problem code; DomainException accepts nothing else. */
export type ErrorCode = import('./error-codes').ModuleErrorCode | CommonError;

export interface InvalidParam {
  name: string;
  reason: string;
}

/** RFC 9457 problem details, as the Dutch API Design Rules prescribe. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code?: string;
  invalidParams?: InvalidParam[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const problemType = (status: number) =>
  `https://ketentafel.nl/problems/${(STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

export const statusTitle = (status: number) => STATUS_CODES[status] ?? 'Error';

/**
 * A domain error with a stable code. Modules throw these; the global filter renders problem+json.
 * `detail` is shown to the caller, so it must never hold personal data.
 */
export class DomainException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: ErrorCode,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail, status);
  }
}

export class ValidationProblem extends HttpException {
  constructor(readonly invalidParams: InvalidParam[]) {
    super('The request has invalid fields; see invalidParams.', HttpStatus.BAD_REQUEST);
  }
}

export const notFound = (what: string) => new DomainException(HttpStatus.NOT_FOUND, CommonError.NotFound, `${what} was not found.`);
export const conflict = (code: ErrorCode, detail: string) => new DomainException(HttpStatus.CONFLICT, code, detail);
export const forbidden = (code: ErrorCode, detail: string) => new DomainException(HttpStatus.FORBIDDEN, code, detail);
export const badRequest = (code: ErrorCode, detail: string) => new DomainException(HttpStatus.BAD_REQUEST, code, detail);
