import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';

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
    readonly code: string,
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

export const notFound = (what: string) => new DomainException(HttpStatus.NOT_FOUND, 'not_found', `${what} was not found.`);
export const conflict = (code: string, detail: string) => new DomainException(HttpStatus.CONFLICT, code, detail);
export const forbidden = (code: string, detail: string) => new DomainException(HttpStatus.FORBIDDEN, code, detail);
export const badRequest = (code: string, detail: string) => new DomainException(HttpStatus.BAD_REQUEST, code, detail);
