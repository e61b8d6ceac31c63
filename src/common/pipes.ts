import { ParseUUIDPipe } from '@nestjs/common';
import { ValidationProblem } from './problem';

/** A UUID path or query parameter; a malformed one is a 400 problem naming the parameter. */
export const uuidParam = (name: string, optional = false) =>
  new ParseUUIDPipe({ optional, exceptionFactory: () => new ValidationProblem([{ name, reason: 'must be a UUID' }]) });
