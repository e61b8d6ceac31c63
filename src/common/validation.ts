import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidParam, ValidationProblem } from './problem';

/** One entry per offending field; its reasons joined. Values are never echoed (they may be personal data). */
function flatten(errors: ValidationError[], prefix = ''): InvalidParam[] {
  return errors.flatMap((e) => {
    const name = prefix ? `${prefix}.${e.property}` : e.property;
    const reasons = Object.entries(e.constraints ?? {}).map(([rule, message]) =>
      rule === 'whitelistValidation' ? 'is not a known field' : message.startsWith(`${e.property} `) ? message.slice(e.property.length + 1) : message,
    );
    const own = reasons.length ? [{ name, reason: reasons.reverse().join('; ') }] : [];
    return [...own, ...flatten(e.children ?? [], name)];
  });
}

/** Rejects unknown fields, lists every offending field at once, and never echoes submitted values. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationProblem(flatten(errors)),
  });
}
