import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiResponse } from '@nestjs/swagger';

const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

/** Documents the 400 problem that every operation with input can answer. */
export const ApiInvalidInput = () =>
  ApiBadRequestResponse({ description: 'Invalid input: every offending field is listed in `invalidParams`; nothing was changed.', content: problem });

export const ApiNotFound = (what: string) =>
  ApiNotFoundResponse({ description: `${what} does not exist, or the caller may not see it.`, content: problem });

export const ApiProblem = (status: number, description: string) => ApiResponse({ status, description, content: problem });

export const ApiRateLimited = () => applyDecorators(ApiProblem(429, 'Too many requests; see the Retry-After header.'));
