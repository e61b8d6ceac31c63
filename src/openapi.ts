import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { SwaggerCustomOptions } from '@nestjs/swagger';
import { version } from '../package.json';
import { ActionError } from './actions/actions.errors';
import { AuthError } from './auth/auth.errors';
import { ApiScope } from './auth/permissions';
import { CaseError } from './cases/cases.errors';
import { CommonError, problemType, statusTitle } from './common/problem';
import type { AppConfig } from './config/app-config';
import { EscalationError } from './escalations/escalations.errors';
import { OperationsError } from './health/operations.errors';
import { AgendaError } from './meetings/agenda/agenda.errors';
import { MeetingError } from './meetings/meetings.errors';
import { MinutesError } from './meetings/minutes/minutes.errors';
import { SessionError } from './meetings/session/session.errors';
import { OrganisationError } from './organisations/organisation.errors';
import { PrivacyError } from './privacy/privacy.errors';
import { SharingError } from './sharing/sharing.errors';
import { TableError } from './tables/tables.errors';
import { UserError } from './users/user.errors';
import { releaseNotes } from './common/changelog';
import { WebhookError } from './webhooks/webhooks.errors';

type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

/** The introduction of the OpenAPI document: what the API is, its conventions, and a glossary. */
export const OPENAPI_DESCRIPTION = `
The coordination backend of the **Lokaal Ketenoverleg** (LKO, *casusoverleg*): the weekly local chain case
conference around an asylum reception centre, where COA, IND, DT&V, police, the public prosecution, the
municipality and the chain marine agree *which action by whom*.

The API speaks English; Dutch legal terms stay in labels. Conventions follow the Dutch government
API Design Rules: plural kebab-case resources, camelCase properties, no trailing slashes, dates in
ISO 8601 (UTC), errors as \`application/problem+json\` (RFC 9457; invalid input is 400 listing every field in
\`invalidParams\`), and an \`API-Version\` header on every response.

**Retry later.** Any operation may answer 503 with a \`Retry-After\` header (seconds) when the database is
busy, locked, conflicting or unreachable (\`code\` \`database_busy\`, \`database_timeout\`, \`lock_timeout\`,
\`transaction_conflict\`, \`database_unavailable\`); nothing was changed unless the code is
\`database_unavailable\`, whose outcome is unknown. Retry after the given delay. List imports (the same
content) and completing an action (the same result) are safe to re-send when an answer was lost.

**Authentication.** People log in with \`POST /auth/login\` and send the access token as
\`Authorization: Bearer …\` (15 minutes; renew with \`POST /auth/refresh\`). Partner systems use OAuth2
client credentials at \`POST /oauth/token\` (on this page: *Authorize*, \`oauth2\`, client id and secret). Every
operation states the permission it needs and, where partner systems may call it, the OAuth2 scope that opens it.

**Health** (\`/health/live\`, \`/health/ready\`) is served at the server's root, outside \`/api/v1\`.

**Glossary.**

| Dutch | API |
|---|---|
| ketenpartner | Organisation |
| LKO / casusoverleg | Table |
| bijeenkomst | Meeting |
| casus | Case |
| vreemdeling (V-nummer) | Subject (vNumber) |
| incident / melding | Incident |
| aangifte | Incident.reportedToPolice |
| maatregel | Measure |
| afspraak / actie | Action |
| opschaling | Escalation |
| convenant | Covenant |
| ketenmarinier | CHAIN_MARINE |
`.trim();

export const problemSchema: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details.',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', description: 'Stable machine-readable error code.' },
    retryAfter: { type: 'integer', description: 'On 429 and 503: seconds to wait before retrying (also the `Retry-After` header).' },
    invalidParams: {
      type: 'array',
      items: { type: 'object', required: ['name', 'reason'], properties: { name: { type: 'string' }, reason: { type: 'string' } } },
    },
  },
};

/** Every problem `code` the API can answer, by module: problem examples only use these. */
export const ERROR_CODE_ENUMS: Record<string, Record<string, string>> = {
  CommonError, AuthError, SharingError, TableError, OrganisationError, UserError, CaseError, MeetingError, AgendaError, SessionError,
  MinutesError, ActionError, EscalationError, OperationsError, WebhookError, PrivacyError,
};
const KNOWN_CODES = new Set(Object.values(ERROR_CODE_ENUMS).flatMap((e) => Object.values(e)));

/** The OAuth2 scopes as the Authorize dialog and partner developers see them. */
export const SCOPE_DESCRIPTIONS: Record<ApiScope, string> = {
  [ApiScope.IncidentsWrite]: 'Push incidents (meldingen) on cases at the tables the organisation sits at',
  [ApiScope.ListsWrite]: "Import the weekly list of a table's persons (the organisation's own list)",
  [ApiScope.ActionsRead]: 'Read the actions (afspraken) assigned to the organisation',
  [ApiScope.ActionsWrite]: "Complete the organisation's actions or request a new due date",
  [ApiScope.EscalationsRead]: "Read the escalations (opschalingen) addressed to the organisation's type",
  [ApiScope.EscalationsWrite]: "Accept, reject or complete escalations addressed to the organisation's type",
  [ApiScope.IndDecisionsWrite]: 'Record IND decisions (beschikkingen) on cases',
  [ApiScope.WebhooksManage]: "Manage the organisation's webhook subscriptions and see their deliveries",
};

/** Tags in the order the docs page shows them; a tag used by an operation and missing here is a bug (the lint spec fails). */
export const TAGS: { name: string; description: string }[] = [
  { name: 'auth', description: 'Logging in (people), OAuth2 client credentials (partner systems), tokens and the caller.' },
  { name: 'administration', description: 'Organisations (ketenpartners), user accounts and partner-system registrations (API clients): administrators.' },
  { name: 'tables', description: 'Tables (LKO / casusoverleg): their member organisations, memberships and covenant (convenant).' },
  { name: 'cases', description: 'Cases (casussen) at a table, the person (vreemdeling, V-nummer) they are about, status, strategy, deadlines and transfers.' },
  { name: 'incidents', description: 'Incidents (meldingen) on cases, recorded by members or pushed by partner systems.' },
  { name: 'measures', description: 'Measures (maatregelen) imposed by an organisation on a case.' },
  { name: 'meetings', description: 'Meetings (bijeenkomsten) of a table: planning, nominations and list imports.' },
  { name: 'agenda', description: 'The agenda of a meeting: drafting, ordering and publishing its items.' },
  { name: 'session', description: 'The meeting in session: attendance, decisions, actions, measures and escalations agreed per agenda item.' },
  { name: 'minutes', description: 'Minutes (verslag) of a meeting and their addenda.' },
  { name: 'actions', description: 'Actions (afspraken / acties): who does what by when; completion and re-planning.' },
  { name: 'escalations', description: 'Escalations (opschalingen) to an organisation, and the settings that govern them.' },
  { name: 'worklist', description: "What needs the chair's attention at a table." },
  { name: 'inbox', description: "A person's in-app notifications." },
  { name: 'reminders', description: "A table's working days for reminders, alerts and the scheduled draft agenda." },
  { name: 'calendar-feeds', description: 'Personal iCalendar feeds of the meetings of the tables one sits at.' },
  { name: 'contact-cards', description: "A table's public contact card (meldkaart)." },
  { name: 'webhooks', description: 'Webhook subscriptions of partner systems and their deliveries.' },
  { name: 'statistics', description: 'Quarterly statistics (aggregates only) of a table or a municipality.' },
  { name: 'privacy', description: 'Privacy (AVG): audit and processing logs, the processing register, access reviews, data-subject requests and legal holds.' },
  { name: 'operations', description: 'Health checks and the queue dashboard, for operators.' },
];

/**
 * Paths served outside `/api/v1` (main.ts excludes them from the prefix). Documented with a path-level `servers`
 * entry, so that "Try it out" calls where they really are. `/metrics` is not part of the API document.
 */
const UNVERSIONED_PATHS = new Set(['/health/live', '/health/ready']);
const UNDOCUMENTED_PATHS = new Set(['/metrics']);

/** 201 answers that carry a `Location` header (the created resource has its own URL). */
const SENDS_LOCATION = new Set(['post /cases/{caseId}/incidents', 'post /incidents']);

const DEFAULT_CODES: Record<number, string> = {
  400: CommonError.InvalidInput,
  401: AuthError.Unauthenticated,
  403: AuthError.PermissionDenied,
  404: CommonError.NotFound,
  405: CommonError.MethodNotAllowed,
  409: CommonError.Conflict,
  412: CommonError.PreconditionFailed,
  413: CommonError.PayloadTooLarge,
  415: CommonError.UnsupportedMediaType,
  429: CommonError.TooManyRequests,
  500: CommonError.InternalError,
  503: CommonError.DatabaseBusy,
};

const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  200: 'OK.',
  201: 'Created.',
  202: 'Accepted; the work continues in the background.',
  204: 'Done; no content.',
  400: 'Invalid input: every offending field is listed in `invalidParams`; nothing was changed.',
  401: 'Missing, expired or revoked access token.',
  403: 'The caller may not do this.',
  404: 'The resource does not exist, or the caller may not see it.',
  409: 'The request conflicts with the current state.',
  412: 'The `If-Match` header names an older version (`precondition_failed`); read the resource again and retry.',
  429: 'Too many requests (`too_many_requests`); retry after the delay in `Retry-After`.',
  503: 'The database is busy, locked, conflicting or unreachable (`database_busy`); retry after the delay in `Retry-After`. Nothing was changed unless the code is `database_unavailable`.',
};

const EXAMPLE_DETAILS: Partial<Record<string, string>> = {
  [CommonError.InvalidInput]: 'The request has invalid fields; see invalidParams.',
  [AuthError.Unauthenticated]: 'A valid access token is required.',
  [CommonError.NotFound]: 'The resource was not found.',
  [CommonError.PreconditionFailed]: 'The resource has changed since the version in If-Match.',
  [CommonError.TooManyRequests]: 'Too many requests; retry after the delay in Retry-After.',
  [CommonError.DatabaseBusy]: 'The database is busy; nothing was changed. Retry after the delay in Retry-After.',
};

const HEADERS = {
  'API-Version': {
    description: 'The full version (semver) of the API that answered.',
    required: true,
    schema: { type: 'string', example: version },
  },
  'X-Request-Id': {
    description: "The request's id (the caller's own `X-Request-Id` when it is a valid one); quote it when reporting a problem.",
    schema: { type: 'string', example: '3f1c9a52-8d0e-4b7a-9a3e-2f6b1d0c4e5a' },
  },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0, example: 1 } },
  Location: { description: 'The URL of the created resource.', schema: { type: 'string', format: 'uri-reference', example: '/api/v1/incidents/3f1c9a52-8d0e-4b7a-9a3e-2f6b1d0c4e5a' } },
  Link: {
    description: 'While there is a next page: its URL with `rel="next"` (RFC 8288).',
    schema: { type: 'string', example: '</api/v1/actions?limit=50&cursor=eyJ2IjoxfQ>; rel="next"' },
  },
  ETag: { description: "The resource's current version; send it back in `If-Match` on PATCH.", schema: { type: 'string', example: '"7"' } },
};

const IF_MATCH = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'The `ETag` of the version you read: the change is refused with 412 when the resource has changed since.',
  schema: { type: 'string', example: '"7"' },
};

/** The introduction, then what changed in this release: its entry in CHANGELOG.md (kept per release, see there). */
export function describeRelease(release: string, notes = releaseNotes(release)): string {
  const changes = notes
    ? `**Changes in ${release}** (from \`CHANGELOG.md\` in the repository, which holds every release):\n\n${notes.replace(/^### /gm, '#### ')}`
    : `**Changes:** see \`CHANGELOG.md\` in the repository.`;
  return `${OPENAPI_DESCRIPTION}\n\n${changes}`;
}

/** The OAuth2 token endpoint as documented (where Swagger UI's Authorize dialog posts client credentials). */
export const oauthTokenUrl = (config: Pick<AppConfig, 'PUBLIC_BASE_URL'>) => `${config.PUBLIC_BASE_URL}/api/v1/oauth/token`;

/** Builds the OpenAPI document of the application and completes it in one place (see completeDocument). */
export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Ketentafel API')
      .setDescription(describeRelease(version))
      .setVersion(version)
      .setContact('Ketentafel', 'https://ketentafel.nl', 'api@ketentafel.nl')
      .setLicense('EUPL-1.2', 'https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12')
      .addServer(`${config.PUBLIC_BASE_URL}/api/v1`)
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'People: the `accessToken` from `POST /auth/login` (15 minutes; renew with `POST /auth/refresh`).',
      })
      .addOAuth2(
        {
          type: 'oauth2',
          description: 'Partner systems (API clients): a token from `POST /oauth/token` with client credentials (HTTP Basic or in the body).',
          flows: { clientCredentials: { tokenUrl: oauthTokenUrl(config), scopes: SCOPE_DESCRIPTIONS } },
        },
        'oauth2',
      )
      .build(),
    { ignoreGlobalPrefix: true },
  );
  completeDocument(document, config);
  return document;
}

/** Swagger UI (`/api/v1/docs`): the Authorize dialog offers bearer and OAuth2 client credentials and keeps them across reloads. */
export const swaggerUiOptions = (): SwaggerCustomOptions => ({
  jsonDocumentUrl: 'api/v1/openapi.json',
  raw: ['json'],
  customSiteTitle: 'Ketentafel API',
  swaggerOptions: {
    persistAuthorization: true,
    // Swagger UI would otherwise send the document to validator.swagger.io for a badge.
    validatorUrl: null,
    displayRequestDuration: true,
    initOAuth: { scopeSeparator: ' ' },
  },
});

/**
 * The Content-Security-Policy of the docs page: Swagger UI's scripts are files of its own (no inline script), its
 * page has inline styles and data: icons, and "Try it out" and the Authorize dialog call the API at PUBLIC_BASE_URL.
 */
export const docsContentSecurityPolicy = (config: Pick<AppConfig, 'PUBLIC_BASE_URL'>) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${config.PUBLIC_BASE_URL}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

type Json = Record<string, unknown>;
interface Response {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: Json; example?: unknown; examples?: unknown }>;
}
interface Operation {
  tags?: string[];
  summary?: string;
  parameters?: Json[];
  requestBody?: { content?: Record<string, unknown> };
  responses: Record<string, Response>;
  security?: Record<string, string[]>[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

/**
 * What Nest's generator cannot say from decorators, added once for every operation (a decorator on each of the
 * ~200 handlers would be forgotten on the next one): the headers every answer carries, a problem example for
 * every error, the 400/401/403/503 answers any operation can give, PATCH preconditions and merge-patch bodies,
 * described tags, and the unversioned health paths at their real URL.
 */
export function completeDocument(document: OpenAPIObject, config: AppConfig): void {
  const components = (document.components ??= {});
  components.schemas = { ...components.schemas, Problem: problemSchema };
  components.headers = { ...components.headers, ...HEADERS };
  components.parameters = { ...components.parameters, IfMatch: IF_MATCH as never };
  const schemas = components.schemas as Record<string, Json>;

  for (const path of UNDOCUMENTED_PATHS) delete document.paths[path];
  const used = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    if (UNVERSIONED_PATHS.has(path)) item.servers = [{ url: config.PUBLIC_BASE_URL || '/', description: 'Outside the versioned API' }];
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      op.tags?.forEach((t) => used.add(t));
      completeOperation(method, path, op, schemas, { unversioned: UNVERSIONED_PATHS.has(path), patchable: !!item.patch });
    }
  }
  markUuidPathParameters(document);

  const declared = new Map(TAGS.map((t) => [t.name, t]));
  document.tags = [...TAGS.filter((t) => used.has(t.name)), ...[...used].filter((t) => !declared.has(t)).map((name) => ({ name }))];
}

/** `patchable`: the path also has a PATCH, so the resource is versioned and its GET answers an ETag. */
function completeOperation(
  method: (typeof METHODS)[number],
  path: string,
  op: Operation,
  schemas: Record<string, Json>,
  { unversioned, patchable }: { unversioned: boolean; patchable: boolean },
): void {
  const authenticated = (op.security ?? []).length > 0;
  const withParameters = (op.parameters ?? []).length > 0;
  const r = op.responses;
  if (!unversioned && (method === 'post' || method === 'put' || method === 'patch' || withParameters)) r['400'] ??= { description: DEFAULT_DESCRIPTIONS[400], content: problemContent };
  if (authenticated) {
    r['401'] ??= { description: DEFAULT_DESCRIPTIONS[401], content: problemContent };
    r['403'] ??= { description: DEFAULT_DESCRIPTIONS[403], content: problemContent };
  }
  if (method === 'patch') {
    // A route that honours If-Match may declare the header itself (e.g. with ApiHeader); declare it once.
    if (!(op.parameters ?? []).some((p) => p.in === 'header' && String(p.name).toLowerCase() === 'if-match')) {
      op.parameters = [...(op.parameters ?? []), { $ref: '#/components/parameters/IfMatch' }];
    }
    r['412'] ??= { description: DEFAULT_DESCRIPTIONS[412], content: problemContent };
    const json = op.requestBody?.content?.['application/json'];
    if (json && op.requestBody?.content) op.requestBody.content['application/merge-patch+json'] = json;
  }
  if (!unversioned) r['503'] ??= { description: DEFAULT_DESCRIPTIONS[503], content: problemContent };

  for (const [key, response] of Object.entries(r)) {
    const status = Number(key);
    if (!response.description?.trim()) response.description = DEFAULT_DESCRIPTIONS[status] ?? statusTitle(status);
    const headers: Record<string, unknown> = { 'API-Version': headerRef('API-Version'), 'X-Request-Id': headerRef('X-Request-Id'), ...response.headers };
    if ((status === 429 || status === 503) && !unversioned) headers['Retry-After'] = headerRef('Retry-After');
    if (status === 201 && SENDS_LOCATION.has(`${method} ${path}`)) headers.Location = headerRef('Location');
    if (status === 200 && method === 'get' && isPage(response, schemas)) headers.Link = headerRef('Link');
    if (status === 200 && (method === 'patch' || (method === 'get' && patchable))) headers.ETag = headerRef('ETag');
    response.headers = headers;
    if (status >= 400) {
      // A copy: the decorators share one content object among many responses.
      const problem = { ...problemContent['application/problem+json'], ...response.content?.['application/problem+json'] };
      problem.example ??= problemExample(status, response.description, op, schemas, resolve(problem.schema as Json | undefined, schemas));
      response.content = { ...response.content, 'application/problem+json': problem };
    }
  }
}

/** A real problem for the example: the code named in the response's description (`…`), else the status's usual one. */
function problemExample(status: number, description: string, op: Operation, schemas: Record<string, Json>, schema: Json | undefined): Json {
  const named = [...description.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1].match(/[a-z]+(?:_[a-z]+)*/g) ?? []).find((c) => KNOWN_CODES.has(c));
  const code = named ?? DEFAULT_CODES[status] ?? (status >= 500 ? CommonError.InternalError : CommonError.BadRequest);
  const fromDescription = description.replace(/\s*\([^)]*`[^)]*\)/g, '').trim();
  const detail = EXAMPLE_DETAILS[code] ?? (fromDescription || statusTitle(status));
  const example: Json = { type: problemType(status), title: statusTitle(status), status, detail, code };
  if (status === 400) example.invalidParams = [{ name: exampleField(op, schemas), reason: 'must not be empty' }];
  if (status === 429 || status === 503) example.retryAfter = 1;
  // A response with a schema of its own (the token endpoint's RFC 6749 errors) requires more members: fill them in
  // from the schema, the code itself where it is one of a member's values (`error: invalid_client`).
  const properties = (schema?.properties ?? {}) as Record<string, Json>;
  for (const name of (schema?.required as string[] | undefined) ?? []) {
    const p = properties[name];
    if (example[name] !== undefined || !p) continue;
    example[name] = (p.enum as unknown[] | undefined)?.includes(code) ? code : (p.example ?? (p.enum as unknown[] | undefined)?.[0] ?? detail);
  }
  return example;
}

/** A field of the operation for the 400 example: its first parameter, else the first property of its JSON body. */
function exampleField(op: Operation, schemas: Record<string, Json>): string {
  const parameter = op.parameters?.find((p) => typeof p.name === 'string');
  if (parameter) return parameter.name as string;
  const body = resolve((op.requestBody?.content?.['application/json'] as { schema?: Json } | undefined)?.schema, schemas);
  const required = body?.required as string[] | undefined;
  return required?.[0] ?? Object.keys((body?.properties as Json | undefined) ?? {})[0] ?? 'body';
}

const resolve = (schema: Json | undefined, schemas: Record<string, Json>): Json | undefined =>
  typeof schema?.$ref === 'string' ? schemas[schema.$ref.split('/').pop() as string] : schema;

function isPage(response: Response, schemas: Record<string, Json>): boolean {
  return !!(resolve(response.content?.['application/json']?.schema, schemas)?.properties as Json | undefined)?.nextCursor;
}

/** Every `id` / `…Id` path parameter is a UUID (validated by uuidParam); say so in the document. */
function markUuidPathParameters(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item) as { parameters?: { in?: string; name?: string; schema?: Record<string, unknown> }[] }[]) {
      for (const p of op?.parameters ?? []) {
        if (p.in === 'path' && /^(id|\w+Id)$/.test(p.name ?? '') && p.schema?.type === 'string' && !p.schema.format) p.schema.format = 'uuid';
      }
    }
  }
}
