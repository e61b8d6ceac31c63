import type { OpenAPIObject } from '@nestjs/swagger';

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
client credentials at \`POST /oauth/token\`. Every operation states the permission it needs.

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
    invalidParams: {
      type: 'array',
      items: { type: 'object', required: ['name', 'reason'], properties: { name: { type: 'string' }, reason: { type: 'string' } } },
    },
  },
};
