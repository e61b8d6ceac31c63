import fc from 'fast-check';

/**
 * fast-check arbitraries from the served OpenAPI document, for the JSON Schema subset the document
 * uses: objects (properties, required), arrays (items, min/maxItems), strings (format, enum, min/max
 * length, pattern), integers and numbers (minimum, maximum), booleans, `nullable`, `$ref` to components
 * and the `allOf: [$ref]` wrapper @nestjs/swagger writes for a described reference.
 *
 * The values are valid for the schema. Strings and ids are drawn partly from pools of real values (ids
 * of a fixture, V-numbers, e-mail addresses), so that a valid request gets past validation to the
 * handler and its database queries; the hostile variants are made from these values by the fuzz.
 */

export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  nullable?: boolean;
  $ref?: string;
  allOf?: Schema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** Real values the generator mixes in: by format, and by property or parameter name. */
export interface ValuePools {
  uuids: readonly string[];
  emails: readonly string[];
  byName: Readonly<Record<string, readonly string[]>>;
}

const DAY = 86_400_000;
/** Shown a string that long, the generator stays small; `maxLength` itself is tried by the hostile variants. */
const SHORT = 24;

/** One operation of the document, with its path as the routes name it (`/api/v1/cases/:id`). */
export interface DocumentOperation {
  method: string;
  /** The document's path template, e.g. `/cases/{id}`. */
  template: string;
  /** `METHOD /api/v1/cases/:id`, as `routeKey` names a registered route. */
  key: string;
  operation: Operation;
  pathParams: Parameter[];
  queryParams: Parameter[];
  headerParams: Parameter[];
  /** The JSON body schema, resolved; undefined when the operation takes no body. */
  body?: Schema;
  bodyRequired: boolean;
  /** The request media types the operation accepts. */
  mediaTypes: string[];
}

const UNPREFIXED = new Set(['/health/live', '/health/ready', '/metrics']);
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

export function documentOperations(doc: OpenApiDocument, prefix = '/api/v1'): DocumentOperation[] {
  const arbs = new SchemaArbitraries(doc, { uuids: [], emails: [], byName: {} });
  return Object.entries(doc.paths).flatMap(([template, ops]) =>
    // A path item also holds `servers` (health, served outside /api/v1) and may hold `parameters`: only methods are operations.
    Object.entries(ops).filter(([method]) => HTTP_METHODS.has(method)).map(([method, operation]) => {
      const params = operation.parameters ?? [];
      const routePath = template.replace(/\{(\w+)\}/g, ':$1');
      const content = operation.requestBody?.content ?? {};
      return {
        method: method.toUpperCase(),
        template,
        key: `${method.toUpperCase()} ${UNPREFIXED.has(routePath) ? routePath : prefix + routePath}`,
        operation,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        headerParams: params.filter((p) => p.in === 'header'),
        body: content['application/json'] ? arbs.resolve(content['application/json'].schema) : undefined,
        bodyRequired: !!operation.requestBody?.required,
        mediaTypes: Object.keys(content),
      };
    }),
  );
}

export class SchemaArbitraries {
  constructor(
    private readonly doc: OpenApiDocument,
    private readonly pools: ValuePools,
  ) {}

  /** Follows `$ref` and merges the single-member `allOf` wrapper into the referenced schema. */
  resolve(schema: Schema): Schema {
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      const target = this.doc.components.schemas[name];
      if (!target) throw new Error(`openapi: unresolved $ref ${schema.$ref}`);
      return this.resolve(target);
    }
    if (schema.allOf?.length) {
      const { allOf, ...rest } = schema;
      return allOf.reduce<Schema>((acc, part) => ({ ...acc, ...this.resolve(part) }), { ...rest, type: undefined } as Schema);
    }
    return schema;
  }

  /** A valid value of `schema`; `name` is the property or parameter it is for (pools by name). */
  of(schema: Schema, name?: string): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    const value = this.nonNull(s, name);
    return s.nullable ? fc.oneof({ arbitrary: value, weight: 5 }, { arbitrary: fc.constant(null), weight: 1 }) : value;
  }

  private nonNull(s: Schema, name?: string): fc.Arbitrary<unknown> {
    if (s.enum) return fc.constantFrom(...s.enum);
    // A string-valued property whose TypeScript type the document could not see is written `type: object`
    // with its format; the format is what it means.
    if (s.format && (s.type === undefined || s.type === 'string' || (s.type === 'object' && !s.properties))) return this.string(s, name);
    if (s.properties || s.type === 'object') return this.object(s);
    switch (s.type) {
      case 'array':
        return this.array(s, name);
      case 'string':
        return this.string(s, name);
      case 'integer':
        return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
      case 'number':
        return fc.oneof(fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 }), fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true }));
      case 'boolean':
        return fc.boolean();
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  private object(s: Schema): fc.Arbitrary<Record<string, unknown>> {
    const properties = s.properties ?? {};
    const model = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, this.of(v, k)]));
    return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in properties) }) as fc.Arbitrary<Record<string, unknown>>;
  }

  private array(s: Schema, name?: string): fc.Arbitrary<unknown[]> {
    const items = s.items ? this.resolve(s.items) : {};
    const minLength = s.minItems ?? 0;
    const maxLength = Math.max(minLength, Math.min(s.maxItems ?? 4, 4));
    if (items.enum) return fc.uniqueArray(fc.constantFrom(...items.enum), { minLength: Math.min(minLength, items.enum.length), maxLength: Math.min(maxLength, items.enum.length) });
    return fc.array(this.of(items, name), { minLength, maxLength });
  }

  private string(s: Schema, name?: string): fc.Arbitrary<string> {
    const known = (name && this.pools.byName[name]) || [];
    const pooled = (values: readonly string[], random: fc.Arbitrary<string>) =>
      values.length ? fc.oneof({ arbitrary: fc.constantFrom(...values), weight: 3 }, { arbitrary: random, weight: 1 }) : random;
    switch (s.format) {
      case 'uuid':
        return pooled([...known, ...this.pools.uuids], fc.uuid());
      case 'date':
        return fc.oneof(nearDay(), fc.date({ min: new Date('1900-01-01'), max: new Date('2200-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));
      case 'date-time':
        return fc.oneof(nearInstant(), fc.date({ min: new Date('1900-01-01'), max: new Date('2200-12-31'), noInvalidDate: true }).map((d) => d.toISOString()));
      case 'email':
        return pooled([...known, ...this.pools.emails], fc.emailAddress());
      case 'uri':
        return fc.webUrl();
    }
    if (s.pattern) return pooled(known, fc.stringMatching(new RegExp(s.pattern)));
    const minLength = s.minLength ?? 0;
    const maxLength = Math.max(minLength, Math.min(s.maxLength ?? SHORT, SHORT));
    const text = fc.oneof(
      { arbitrary: fc.string({ minLength, maxLength }), weight: 3 },
      { arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }), weight: 1 },
      { arbitrary: fc.string({ minLength, maxLength, unit: 'binary' }), weight: 1 },
    );
    return pooled(known.filter((v) => v.length >= minLength && v.length <= (s.maxLength ?? Infinity)), text);
  }
}

/** A calendar date within a month of today: where due dates and review dates make sense. */
const nearDay = () => fc.integer({ min: -30, max: 30 }).map((d) => new Date(Date.now() + d * DAY).toISOString().slice(0, 10));
const nearInstant = () => fc.integer({ min: -30 * 24, max: 30 * 24 }).map((h) => new Date(Date.now() + h * 3_600_000).toISOString());
