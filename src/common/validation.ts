import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
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

/** Where @nestjs/swagger keeps a property's options (its `DECORATORS.API_MODEL_PROPERTIES`; not exported as a path). */
const API_PROPERTY = 'swagger/apiModelProperties';
const API_PROPERTIES = 'swagger/apiModelPropertiesArray';

type Ctor = abstract new (...args: never[]) => unknown;
interface ApiPropertyMeta {
  nullable?: boolean;
  type?: unknown;
  isArray?: boolean;
}

const isDto = (t: unknown): t is Ctor => typeof t === 'function' && !!t.prototype && !!Reflect.getMetadata(API_PROPERTIES, t.prototype);

/** The DTO class of a nested property: `type: Foo` or the lazy `type: () => Foo`. */
function nestedDto(type: unknown): Ctor | undefined {
  if (isDto(type)) return type;
  if (typeof type === 'function' && !type.prototype) {
    const resolved = (type as () => unknown)();
    return isDto(resolved) ? resolved : undefined;
  }
  return undefined;
}

/**
 * Explicit `null` only where the document says a field is nullable (that is where null clears a value);
 * elsewhere it is refused, so null never reaches a NOT NULL column or becomes 1970-01-01. A nested object
 * is an object: a list in its place is refused (a list of lists where a list of objects is expected too).
 * The OpenAPI document and the check read the same declaration, so they cannot disagree.
 */
export function nullDefects(dto: Ctor, value: unknown, prefix = ''): InvalidParam[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: InvalidParam[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const meta = Reflect.getMetadata(API_PROPERTY, dto.prototype, key) as ApiPropertyMeta | undefined;
    if (!meta) continue; // an unknown field: the whitelist refuses it
    const name = prefix ? `${prefix}.${key}` : key;
    if (v === null) {
      if (!meta.nullable) out.push({ name, reason: 'must not be null' });
      continue;
    }
    const nested = nestedDto(meta.type);
    if (!nested) continue;
    // class-validator walks an array it finds where one object is expected as if it were the list, so
    // `[{...}, [], {...}]` validated clean and reached the service as a rule without a kind.
    const notObject = (item: unknown, at: string) => {
      if (Array.isArray(item)) out.push({ name: at, reason: 'must be an object, not a list' });
      else out.push(...nullDefects(nested, item, at));
    };
    if (Array.isArray(v) && meta.isArray) v.forEach((item, i) => notObject(item, `${name}.${i}`));
    else notObject(v, name);
  }
  return out;
}

/** A DTO's `@ArrayMaxSize(n)` limits by property name, read from class-validator's own metadata (cached per class). */
const arrayLimits = new Map<Ctor, Map<string, number>>();
function arrayLimitsOf(dto: Ctor): Map<string, number> {
  let limits = arrayLimits.get(dto);
  if (!limits) {
    limits = new Map();
    for (const v of getMetadataStorage().getTargetValidationMetadatas(dto as new () => unknown, '', true, false)) {
      if (v.name === 'arrayMaxSize' && typeof v.constraints?.[0] === 'number') limits.set(v.propertyName, v.constraints[0]);
    }
    arrayLimits.set(dto, limits);
  }
  return limits;
}

/**
 * Lists longer than their DTO allows, found before anything is transformed: class-transformer and
 * class-validator build and check every element before `@ArrayMaxSize` says no, and a 1 MB body of 20,000
 * nested objects cost over 5 s of CPU that way (found by the load fuzz).
 */
export function oversizeDefects(dto: Ctor, value: unknown, prefix = ''): InvalidParam[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  const limits = arrayLimitsOf(dto);
  const out: InvalidParam[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${key}` : key;
    const limit = limits.get(key);
    if (Array.isArray(v) && limit !== undefined && v.length > limit) {
      out.push({ name, reason: `must contain no more than ${limit} elements` });
      continue;
    }
    const meta = Reflect.getMetadata(API_PROPERTY, dto.prototype, key) as ApiPropertyMeta | undefined;
    const nested = meta ? nestedDto(meta.type) : undefined;
    if (!nested) continue;
    if (Array.isArray(v)) v.forEach((item, i) => out.push(...oversizeDefects(nested, item, `${name}.${i}`)));
    else out.push(...oversizeDefects(nested, v, name));
  }
  return out;
}

/** class-validator's pipe, plus the null and list-size rules above; all offending fields are listed in one answer. */
class ProblemValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const body = metadata.type === 'body' && isDto(metadata.metatype);
    const oversize = body ? oversizeDefects(metadata.metatype as Ctor, value) : [];
    if (oversize.length) throw new ValidationProblem(oversize);
    const nulls = body ? nullDefects(metadata.metatype as Ctor, value) : [];
    try {
      const out = await super.transform(value, metadata);
      if (nulls.length) throw new ValidationProblem(nulls);
      return out;
    } catch (e) {
      if (!(e instanceof ValidationProblem) || !nulls.length || e.invalidParams === nulls) throw e;
      const named = new Set(nulls.map((p) => p.name));
      throw new ValidationProblem([...nulls, ...e.invalidParams.filter((p) => !named.has(p.name))]);
    }
  }
}

/** Rejects unknown fields, lists every offending field at once, and never echoes submitted values. */
export function createValidationPipe(): ValidationPipe {
  return new ProblemValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationProblem(flatten(errors)),
  });
}
