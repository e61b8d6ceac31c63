import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { DEMO_PASSWORD } from '../../src/db/demo-seed';
import { MEMBER_ORGANISATION_TYPES } from '../../src/sharing/categories';
import { authorization, buildCallers, Caller, Callers } from './callers';
import {
  givenAction,
  givenAgendaItem,
  givenCalendarFeed,
  givenCase,
  givenDeadline,
  givenEscalation,
  givenIncident,
  givenListImport,
  givenMeasure,
  givenMeeting,
  givenMembership,
  givenNomination,
  givenOrganisation,
  givenUser,
} from './factories';
import { ALL_GRANTS, buildFullFixture, FullFixture, saveCovenant, seatChair } from './full-fixture';
import { DocumentOperation, documentOperations, OpenApiDocument, Parameter, Schema, SchemaArbitraries, ValuePools } from './openapi-arbitraries';
import { collectRoutes, routeKey } from './routes';
import { bearer, login, startTestApp, TestApp } from './test-app';
import { ownerClient } from './test-database';

/**
 * The OpenAPI-driven fuzz (issue 8, item 7). Every operation of the served document is called with
 * requests generated from its schemas (valid ones, with real ids of a fixture, and hostile ones made from
 * them), as every kind of caller in turn. For every answer:
 * - never a 5xx;
 * - every answer carries `API-Version`, and every non-2xx answer is `application/problem+json` with a `code`;
 * - a refused request (4xx) changed no application table. Row triggers on every table note each change
 *   (in the request's own transaction, so a rolled-back write leaves no note), and the notes are read after
 *   every request: exact and cheap, unlike checksums. The app runs without workers, so every change
 *   during a request is the request's own.
 *
 * All findings are collected and reported together (test/output/fuzz.txt), each with the request that
 * caused it. Reproduce a run with FUZZ_SEED=<seed>.
 */

const API = '/api/v1';

/** Tables that refused requests write on purpose: every refusal is audited (DOMAIN.md section 7). */
const WRITTEN_ON_REFUSAL: Record<string, string> = {
  audit_log: 'every refusal is written to the audit log',
  processing_log: 'processing steps, also those that failed',
  log_seal: "the logs' hash chain (written by the sealing job)",
  migrations: 'not an application table',
};

/**
 * Writes a refusal makes on purpose, per route: presenting a used refresh token is refused and revokes its
 * session (token theft, RFC 6819 5.2.2.3).
 */
const REFUSAL_WRITES: Record<string, string[]> = {
  'POST /api/v1/auth/refresh': ['auth_session UPDATE'],
};

/** An answer slower than this is a finding: nothing the fuzz sends should take a handler this long. */
const SLOW_MS = 5_000;

/** The callers the fuzz spreads its requests over, in turn. */
export const FUZZ_CALLERS = ['anonymous', 'admin', 'privacyOfficer', 'chair', 'member', 'outsider', 'partner:all'] as const satisfies readonly Caller[];

/** Routes that end the caller's own sessions: called with a spare session of a user with the same roles. */
const ENDS_SESSIONS = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/auth/change-password']);

interface FuzzRequest {
  caller: Caller;
  /** The kind of request (valid, deep JSON, bad id, ...), for the report. */
  kind: string;
  /** The kind with its particulars. */
  variant: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

interface Finding {
  count: number;
  example: string;
}

interface OperationStats {
  requests: number;
  statuses: Map<number, number>;
  variants: Map<string, number>;
  ms: number;
  maxMs: number;
}

// --- the fixture around the table: other tables' rows, scratch rows for destructive routes ---------------

/** Ids of one kind of resource: valid ones at the fixture's table, and those of another table. */
interface IdPool {
  valid: string[];
  foreign: string[];
}

interface FuzzWorld {
  t: TestApp;
  f: FullFixture;
  callers: Callers;
  doc: OpenApiDocument;
  owner: Client;
  pools: Record<string, IdPool>;
  /** Per route key and path parameter: the only valid ids the fuzz may use (scratch rows it may destroy). */
  scratch: Record<string, Record<string, string[]>>;
  values: ValuePools;
  clientIds: string[];
}

async function buildWorld(t: TestApp): Promise<FuzzWorld> {
  const f = await buildFullFixture(t);
  const callers = await buildCallers(f);
  const ds = t.dataSource;
  const admin = callers.tokens.admin!;
  const other = f.otherTable;
  const otherOrg = other.organisations.POLICE!;

  // Rows of another table, of every kind: the fuzz uses their ids where this table's are expected.
  const foreignCase = await givenCase(ds, other);
  const [moved] = await ds.query(`SELECT id FROM case_file WHERE table_id = $1 AND id <> $2 LIMIT 1`, [other.id, foreignCase.id]);
  const foreignMeeting = await givenMeeting(ds, other, { status: 'in_session' });
  const foreignItem = await givenAgendaItem(ds, foreignMeeting.id, { caseId: foreignCase.id });
  const foreignUser = await givenUser(ds, otherOrg);
  await givenMembership(ds, other.id, foreignUser.id);
  const [foreignMembership] = await ds.query(`SELECT id FROM table_membership WHERE user_id = $1`, [foreignUser.id]);
  const [foreignStrategy] = await ds.query(`INSERT INTO case_strategy (case_id, revision, kind, text) VALUES ($1, 1, 'other', 'Elders') RETURNING id`, [foreignCase.id]);

  // Scratch rows for the routes that would take the fixture apart (end memberships, disable accounts, ...).
  const scratchUsers = [await givenUser(ds, f.table.organisations.IND!), await givenUser(ds, f.table.organisations.OM!)];
  const scratchMemberships: string[] = [];
  for (const u of scratchUsers) {
    await givenMembership(ds, f.table.id, u.id);
    scratchMemberships.push((await ds.query(`SELECT id FROM table_membership WHERE user_id = $1`, [u.id]))[0].id);
  }
  const scratchOrganisation = await givenOrganisation(ds, 'KMAR');
  const scratchMember = await givenOrganisation(ds, 'DJI');
  await ds.query(`INSERT INTO table_member_organisation (table_id, organisation_id) VALUES ($1, $2)`, [f.table.id, scratchMember]);
  const scratchCases = await Promise.all([1, 2, 3].map(() => givenCase(ds, f.table)));
  const scratchClients: string[] = [];
  for (const name of ['Scratch A', 'Scratch B']) {
    const res = await t.http().post(`${API}/api-clients`).set(bearer(admin)).send({ organisationId: f.table.organisations.COA, name, scopes: ['actions:read'] });
    if (res.status !== 201) throw new Error(`fuzz: creating an API client answered ${res.status}`);
    scratchClients.push(res.body.id);
  }

  // Webhook subscriptions of the partner systems' organisation (the police) and one of another organisation, with a failed delivery each.
  const subscriptionOf = async (organisationId: string): Promise<string> => {
    const res = await t.http().post(`${API}/webhook-subscriptions`).set(bearer(admin)).send({ organisationId, url: 'https://koppeling.example/hooks', eventTypes: ['action_overdue'] });
    if (res.status !== 201) throw new Error(`fuzz: creating a webhook subscription answered ${res.status}`);
    return res.body.id;
  };
  const failedDelivery = async (subscriptionId: string): Promise<string> =>
    (await ds.query(
      `INSERT INTO webhook_delivery (subscription_id, cause, kind, status, attempts, created_at, failed_at) VALUES ($1, $2, 'action_overdue', 'failed', 8, now(), now()) RETURNING id`,
      [subscriptionId, `fuzz:${subscriptionId}`],
    ))[0].id;
  const subscriptions = [await subscriptionOf(callers.partnerOrganisationId), await subscriptionOf(callers.partnerOrganisationId)];
  const foreignSubscription = await subscriptionOf(f.table.organisations.MUNICIPALITY!);
  const scratchSubscription = await subscriptionOf(callers.partnerOrganisationId);

  const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
  const memberships = Object.values(f.viewers).map((v) => v.membershipId);
  const pools: Record<string, IdPool> = {
    table: { valid: [f.table.id], foreign: [other.id] },
    case: { valid: [f.caseId, f.listCaseId, ...scratchCases.map((c) => c.id)], foreign: [foreignCase.id, ...(moved ? [moved.id] : [])] },
    deadline: { valid: f.deadlineIds, foreign: [(await givenDeadline(ds, foreignCase.id)).id] },
    incident: { valid: Object.values(f.incidents), foreign: [(await givenIncident(ds, foreignCase.id, otherOrg)).id] },
    measure: { valid: f.measureIds.slice(0, 4), foreign: [(await givenMeasure(ds, foreignCase.id, otherOrg)).id] },
    meeting: { valid: Object.values(f.meetings), foreign: [foreignMeeting.id] },
    'agenda-item': { valid: [...Object.values(f.caseItems), ...f.topicItems.slice(0, 2)], foreign: [foreignItem.id] },
    action: { valid: f.actionIds, foreign: [(await givenAction(ds, foreignCase.id, otherOrg)).id] },
    escalation: { valid: f.escalationIds, foreign: [(await givenEscalation(ds, foreignCase.id, otherOrg)).id] },
    nomination: { valid: f.nominationIds.slice(0, 2), foreign: [(await givenNomination(ds, other, foreignMeeting.id, otherOrg)).id] },
    'list-import': { valid: f.listImportIds, foreign: [(await givenListImport(ds, other, otherOrg)).id] },
    strategy: { valid: f.strategyIds.slice(0, 2), foreign: [foreignStrategy.id] },
    organisation: { valid: [scratchOrganisation, ...MEMBER_ORGANISATION_TYPES.map((type) => f.table.organisations[type]!)], foreign: Object.values(other.organisations) as string[] },
    membership: { valid: memberships, foreign: [foreignMembership.id] },
    user: { valid: [...scratchUsers.map((u) => u.id), f.viewers.IND.member.id], foreign: [foreignUser.id] },
    'api-client': { valid: scratchClients, foreign: [] },
    'calendar-feed': { valid: f.viewers.COA.feedIds, foreign: [(await givenCalendarFeed(ds, foreignUser.id, other)).id] },
    'calendar-feed.token': { valid: Object.values(f.viewers.COA.feedTokens), foreign: [] },
    'webhook-subscription': { valid: subscriptions, foreign: [foreignSubscription] },
    delivery: { valid: await Promise.all(subscriptions.map(failedDelivery)), foreign: [await failedDelivery(foreignSubscription)] },
    // Every fixture table is in Harderwijk; another municipality has none.
    'municipality.municipalityCode': { valid: ['GM0243'], foreign: ['GM0363'] },
  };
  const scratch: FuzzWorld['scratch'] = {
    'POST /api/v1/cases/:id/transfers': { id: scratchCases.map((c) => c.id) },
    'PATCH /api/v1/organisations/:id': { id: [scratchOrganisation] },
    'DELETE /api/v1/tables/:id/member-organisations/:organisationId': { organisationId: [scratchMember] },
    'PATCH /api/v1/tables/:id/memberships/:membershipId': { membershipId: scratchMemberships },
    'DELETE /api/v1/tables/:id/memberships/:membershipId': { membershipId: scratchMemberships },
    'PATCH /api/v1/users/:id': { id: scratchUsers.map((u) => u.id) },
    'PATCH /api/v1/api-clients/:id': { id: scratchClients },
    'POST /api/v1/api-clients/:id/_rotate': { id: scratchClients },
    'DELETE /api/v1/webhook-subscriptions/:id': { id: [scratchSubscription] },
  };

  // Ids in bodies and queries: any real id, except those of the callers themselves (a body naming the
  // outsider would seat them at the table and make them no outsider).
  const callerIds = new Set([...Object.values(callers.users).map((u) => u.id), callers.administration]);
  const everyId = [...new Set(Object.values(pools).flatMap((p) => [...p.valid, ...p.foreign]))].filter((id) => !callerIds.has(id));
  const users: { email: string }[] = await ds.query(`SELECT email FROM app_user ORDER BY created_at LIMIT 20`);
  const references = ids(await ds.query(`SELECT reference AS id FROM case_file LIMIT 10`));
  const vNumbers = ids(await ds.query(`SELECT v_number AS id FROM subject LIMIT 10`));
  const clientIds = ids(await ds.query(`SELECT client_id AS id FROM api_client`));
  // Real refresh tokens, each presented many times: the first use rotates it, every later one is a replay.
  const refreshTokens = await Promise.all([1, 2, 3].map(async () => (await login(t, (await givenUser(ds, f.table.organisations.IND!)).email)).refreshToken));
  const values: ValuePools = {
    uuids: everyId,
    emails: users.map((u) => u.email),
    byName: {
      vNumber: vNumbers,
      caseReference: references,
      nationality: ['ERI', 'SYR', 'XXA', 'NLD', 'eri', 'ZZZ'],
      // Sub-daily rules and lists of times once stalled meeting generation for seconds to minutes.
      cadenceRrule: [
        'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0',
        'FREQ=DAILY',
        'FREQ=WEEKLY;INTERVAL=0',
        'FREQ=SECONDLY',
        'FREQ=MINUTELY',
        `FREQ=DAILY;BYHOUR=${Array.from({ length: 24 }, (_, i) => i).join(',')};BYMINUTE=${Array.from({ length: 60 }, (_, i) => i).join(',')}`,
        'RRULE:FREQ=WEEKLY',
      ],
      password: [DEMO_PASSWORD],
      currentPassword: [DEMO_PASSWORD],
      client_id: clientIds,
      refreshToken: refreshTokens,
      token: Object.values(f.viewers.POLICE.feedTokens),
      userId: everyId,
      // Webhook targets: valid ones, and ones refused for what they hold (credentials, a fragment, another scheme).
      url: ['https://koppeling.example/hooks', 'http://127.0.0.1:9/hooks?kanaal=1', 'https://user:pw@koppeling.example/hooks', 'https://koppeling.example/#x', 'file:///etc/passwd'],
    },
  };
  const doc = JSON.parse((await t.http().get(`${API}/openapi.json`).expect(200)).text) as OpenApiDocument;
  const owner = await ownerClient(t.db);
  await watchTables(owner);
  return { t, f, callers, doc, owner, pools, scratch, values, clientIds };
}

/** Row triggers that note every change of an application table, in the changing transaction. */
async function watchTables(owner: Client): Promise<void> {
  const excluded = Object.keys(WRITTEN_ON_REFUSAL);
  await owner.query(`
    CREATE TABLE fuzz_change (id bigserial PRIMARY KEY, table_name text NOT NULL, operation text NOT NULL);
    CREATE FUNCTION fuzz_note_change() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    BEGIN
      INSERT INTO fuzz_change (table_name, operation) VALUES (TG_TABLE_NAME, TG_OP);
      RETURN NULL;
    END $$;
    DO $$
    DECLARE r record;
    BEGIN
      FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'fuzz_change' AND tablename <> ALL (ARRAY[${excluded.map((e) => `'${e}'`).join(', ')}]) LOOP
        EXECUTE format('CREATE TRIGGER fuzz_note_row AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION fuzz_note_change()', r.tablename);
        EXECUTE format('CREATE TRIGGER fuzz_note_truncate AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION fuzz_note_change()', r.tablename);
      END LOOP;
    END $$;`);
}

/** Puts back what a fuzzed operation may have changed that the next operations rely on. */
async function restore(w: FuzzWorld, op: DocumentOperation): Promise<void> {
  const { f, owner, callers } = w;
  await owner.query(`UPDATE chain_table SET active = true WHERE id = ANY($1) AND NOT active`, [[f.table.id, f.otherTable.id]]);
  await owner.query(`DELETE FROM table_membership WHERE table_id = $1 AND user_id = ANY($2)`, [f.table.id, [callers.users.outsider.id, callers.users.admin.id, callers.users.privacyOfficer.id]]);
  // A membership created with the role chair takes the chair from the fixture's chair.
  await seatChair(f, 'COA');
  if (op.key === 'PUT /api/v1/tables/:id/covenant') {
    await saveCovenant({ t: w.t, table: f.table }, ALL_GRANTS, 'restored after the fuzz');
    await saveCovenant({ t: w.t, table: f.otherTable }, ALL_GRANTS, 'restored after the fuzz');
  }
}

// --- building requests ------------------------------------------------------------------------------

const singular = (segment: string) => (segment.endsWith('ies') ? `${segment.slice(0, -3)}y` : segment.replace(/s$/, ''));
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The resource a path parameter names: `/cases/{id}` → case, `{organisationId}` → organisation. */
function resourceOf(template: string, param: string): string {
  const segments = template.split('/');
  const at = segments.indexOf(`{${param}}`);
  const previous = singular(segments[at - 1] ?? '');
  return param === 'id' ? previous : param.endsWith('Id') ? kebab(param.slice(0, -2)) : `${previous}.${param}`;
}

/** Percent-encodes like encodeURIComponent, but writes a lone surrogate as its (invalid) UTF-8 bytes instead of throwing. */
export function encodePiece(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
    if (pair) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(s[i]);
    }
  }
  return out;
}

/** Path segments that are not ids: raw, already percent-encoded as a hostile client would send them. */
const BAD_IDS = [
  '1', '0', '-1', 'null', 'undefined', 'true', 'abc', '%00', '%ED%A0%80', '%F0%9F%98%80', "'%20OR%20'1'%3D'1", '%2E%2E', '..', '%25',
  '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '12345678-1234-1234-1234-1234567890ab',
  '{id}', ':id', '%7Bid%7D', 'a'.repeat(199), 'a'.repeat(201), '00000000-0000-4000-8000-000000000000%00', '%20', '%0A', '%E0%A4%A',
];

const STRING_HOSTILES = ['\u0000', 'a\u0000b', '\ud800', 'x\udc00', '\udbff\udbff', '\ufeff', '\u202e', '%00', "'; DROP TABLE case_file; --", '${7*7}', '{{7*7}}', '<script>', '../../etc/passwd', ' ', ''];

const WRONG_VALUES: unknown[] = [0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, true, false, '', 'x', '0', 'true', 'null', [], [1], ['a', 'b'], {}, { a: 1 }, { $gt: '' }];

type JsonPath = (string | number)[];

/** Every node below the root of a JSON value, with its path. */
function nodes(value: unknown, path: JsonPath = []): { path: JsonPath; value: unknown }[] {
  const here = path.length ? [{ path, value }] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => nodes(v, [...path, i]))];
  if (value && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => nodes(v, [...path, k]))];
  return here;
}

function setAt(root: unknown, path: JsonPath, value: unknown): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(root) ? [...root] : root && typeof root === 'object' ? { ...(root as object) } : {}) as Record<string | number, unknown>;
  copy[head] = setAt(copy[head], rest, value);
  return copy;
}

const pick = <T>(items: readonly T[], n: number): T => items[n % items.length];

/** The top-level properties of a body schema, with their resolved schemas. */
const propertiesOf = (arbs: SchemaArbitraries, schema: Schema | undefined): [string, Schema][] =>
  Object.entries(schema?.properties ?? {}).map(([k, v]) => [k, arbs.resolve(v)]);

interface Base {
  path: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  body: unknown;
  mediaType: string;
}

function queryPairs(params: Parameter[], values: Record<string, unknown>): [string, string][] {
  return params.flatMap((p) => {
    const v = values[p.name];
    if (v === undefined || v === null) return [];
    return (Array.isArray(v) ? v : [v]).map((item) => [p.name, typeof item === 'object' ? JSON.stringify(item) : String(item)] as [string, string]);
  });
}

function formEncode(value: unknown): string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return encodePiece(JSON.stringify(value));
  return Object.entries(value)
    .map(([k, v]) => `${encodePiece(k)}=${encodePiece(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('&');
}

/** The arbitrary of every request the fuzz sends to one operation (the caller is set by the runner). */
function requestArbitrary(w: FuzzWorld, op: DocumentOperation): fc.Arbitrary<Omit<FuzzRequest, 'caller'> & { auth: string }> {
  const arbs = new SchemaArbitraries(w.doc, w.values);
  const scratch = w.scratch[op.key] ?? {};
  const validId = (param: string) => {
    const pool = w.pools[resourceOf(op.template, param)];
    return scratch[param] ?? pool?.valid ?? [];
  };
  const foreignId = (param: string) => w.pools[resourceOf(op.template, param)]?.foreign ?? [];
  const pathArb = fc.record(
    Object.fromEntries(
      op.pathParams.map((p) => {
        const valid = validId(p.name);
        const options = [
          ...(valid.length ? [{ arbitrary: fc.constantFrom(...valid), weight: 8 }] : []),
          ...(foreignId(p.name).length ? [{ arbitrary: fc.constantFrom(...foreignId(p.name)), weight: 1 }] : []),
          { arbitrary: fc.uuid(), weight: valid.length ? 1 : 8 },
        ];
        return [p.name, fc.oneof(...options)];
      }),
    ),
  ) as fc.Arbitrary<Record<string, string>>;
  // Optional query parameters are mostly left out: each one present is one more way to be refused.
  const queryArb = fc
    .record(
      Object.fromEntries(
        op.queryParams.map((p) => [p.name, p.required ? arbs.of(p.schema, p.name) : fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arbs.of(p.schema, p.name), weight: 1 })]),
      ),
    )
    .map((values) => queryPairs(op.queryParams, values as Record<string, unknown>));
  const headerArb = fc
    .tuple(
      ...op.headerParams.map((p) =>
        p.name.toLowerCase() === 'authorization'
          ? fc.option(
              fc.tuple(fc.constantFrom(...w.clientIds, 'unknown-client'), fc.string({ maxLength: 40 })).map(([id, secret]) => [p.name, `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`] as [string, string]),
            )
          : p.name.toLowerCase() === 'accept'
            ? fc.option(fc.constantFrom('application/json', 'application/pdf', 'text/csv', '*/*', 'application/pdf;q=0.9, application/json;q=0.8', 'text/csv;q=0.5, */*;q=0.1', 'text/html').map((v) => [p.name, v] as [string, string]))
            : fc.option(arbs.of(p.schema, p.name).map((v) => [p.name, String(v)] as [string, string])),
      ),
    )
    .map((pairs) => Object.fromEntries(pairs.filter((x): x is [string, string] => !!x)));
  const bodyArb = op.body ? (op.bodyRequired ? arbs.of(op.body) : fc.option(arbs.of(op.body), { nil: undefined })) : fc.constant(undefined);
  const base: fc.Arbitrary<Base> = fc.record({
    path: pathArb,
    query: queryArb,
    headers: headerArb,
    body: bodyArb,
    mediaType: fc.constantFrom(...(op.mediaTypes.length ? op.mediaTypes : ['application/json'])),
  });

  const props = propertiesOf(arbs, op.body);
  const stringProps = props.filter(([, s]) => s.type === 'string' || s.format || s.enum).map(([k]) => k);
  const anyProps = props.map(([k]) => k);

  /** Renders a request from its parts; `raw` replaces the body text, `rawPath` one path segment. */
  const render = (variant: string, b: Base, options: { raw?: string; rawPath?: [string, string]; rawQuery?: string; headers?: Record<string, string>; auth?: string } = {}) => {
    let path = op.template;
    for (const p of op.pathParams) {
      const value = options.rawPath?.[0] === p.name ? options.rawPath[1] : encodePiece(b.path[p.name]);
      path = path.replace(`{${p.name}}`, value);
    }
    const query = options.rawQuery ?? b.query.map(([k, v]) => `${encodePiece(k)}=${encodePiece(v)}`).join('&');
    const prefix = op.key.split(' ')[1].startsWith(API) ? API : '';
    const url = `${prefix}${path}${query ? `?${query}` : ''}`;
    const headers: Record<string, string> = { ...b.headers };
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (b.body !== undefined) payload = b.mediaType === 'application/x-www-form-urlencoded' ? formEncode(b.body) : JSON.stringify(b.body);
    if (payload !== undefined && !Object.keys(options.headers ?? {}).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = b.mediaType;
    Object.assign(headers, options.headers);
    return { variant, method: op.method, url, headers, payload, auth: options.auth ?? 'caller' };
  };

  type Variant = { name: string; weight: number; arb: fc.Arbitrary<ReturnType<typeof render>> };
  const withBody = (b: Base) => b.body !== undefined && b.body !== null && typeof b.body === 'object' && !Array.isArray(b.body);
  const bodyOf = (b: Base) => (withBody(b) ? (b.body as Record<string, unknown>) : {});
  const json = (b: Base, value: unknown) => render('', { ...b, mediaType: 'application/json' }, { raw: JSON.stringify(value) });
  const named = (name: string, r: ReturnType<typeof render>) => ({ ...r, variant: name });

  const variants: Variant[] = [{ name: 'valid', weight: 8, arb: base.map((b) => render('valid', b)) }];
  if (op.body) {
    variants.push(
      {
        name: 'deep JSON',
        weight: 1,
        arb: fc.tuple(base, fc.constantFrom(33, 200, 10_000, 100_000), fc.boolean(), fc.nat()).map(([b, depth, arrays, n]) => {
          const [open, close] = arrays ? ['[', ']'] : ['{"a":', '}'];
          const key = anyProps.length ? pick(anyProps, n) : 'a';
          return render('deep JSON', b, { raw: `{"${key}":${open.repeat(depth)}${arrays ? '' : '1'}${close.repeat(depth)}}`, headers: { 'content-type': 'application/json' } });
        }),
      },
      {
        name: 'bad text',
        weight: 3,
        arb: fc.tuple(base, fc.nat(), fc.constantFrom(...STRING_HOSTILES), fc.string({ maxLength: 8 })).map(([b, n, bad, around]) => {
          const strings = nodes(bodyOf(b)).filter((x) => typeof x.value === 'string');
          const path: JsonPath = strings.length ? pick(strings, n).path : [stringProps.length ? pick(stringProps, n) : 'name'];
          return named(`bad text ${JSON.stringify(bad)}`, json(b, setAt(bodyOf(b), path, `${around}${bad}${around}`)));
        }),
      },
      {
        name: 'bad text in a key',
        weight: 1,
        arb: fc.tuple(base, fc.constantFrom('\u0000', '\ud800', '', ' ', 'a'.repeat(10_000))).map(([b, bad]) => named('bad text in a key', json(b, { ...bodyOf(b), [bad]: 1 }))),
      },
      {
        name: 'huge string',
        weight: 1,
        arb: fc.tuple(base, fc.nat(), fc.constantFrom(5_001, 100_000, 1_100_000)).map(([b, n, size]) => {
          const path: JsonPath = [stringProps.length ? pick(stringProps, n) : anyProps.length ? pick(anyProps, n) : 'x'];
          return named(`huge string ${size}`, json(b, setAt(bodyOf(b), path, 'x'.repeat(size))));
        }),
      },
      {
        name: 'huge array',
        weight: 1,
        arb: fc.tuple(base, fc.nat(), fc.constantFrom(1_001, 20_000)).map(([b, n, size]) => {
          const arrays = nodes(bodyOf(b)).filter((x) => Array.isArray(x.value));
          const target = arrays.length ? pick(arrays, n) : { path: [anyProps.length ? pick(anyProps, n) : 'x'], value: [1] };
          const item = (target.value as unknown[])[0] ?? 'x';
          return named(`huge array ${size}`, json(b, setAt(bodyOf(b), target.path, Array.from({ length: size }, () => item))));
        }),
      },
      {
        name: 'explicit null',
        weight: 3,
        arb: fc.tuple(base, fc.nat()).map(([b, n]) => {
          const all = nodes(bodyOf(b));
          const path: JsonPath = all.length && n % 3 ? pick(all, n).path : [anyProps.length ? pick(anyProps, n) : 'x'];
          return named('explicit null', json(b, setAt(bodyOf(b), path, null)));
        }),
      },
      {
        name: 'wrong type',
        weight: 4,
        arb: fc.tuple(base, fc.nat(), fc.nat()).map(([b, n, m]) => {
          const all = nodes(bodyOf(b));
          const path: JsonPath = all.length && n % 4 ? pick(all, n).path : [anyProps.length ? pick(anyProps, n) : 'x'];
          const current = all.find((x) => x.path.join('.') === path.join('.'))?.value;
          const kind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
          const wrong = WRONG_VALUES.filter((v) => kind(v) !== kind(current));
          return named('wrong type', json(b, setAt(bodyOf(b), path, pick(wrong, m))));
        }),
      },
      {
        name: 'unknown field',
        weight: 2,
        arb: fc.tuple(base, fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'createdAt', 'tableId', 'isAdmin', 'globalRoles', 'x'), fc.nat()).map(([b, key, n]) => {
          const objects = [{ path: [] as JsonPath, value: bodyOf(b) }, ...nodes(bodyOf(b)).filter((x) => x.value && typeof x.value === 'object' && !Array.isArray(x.value))];
          const target = pick(objects, n);
          const text = JSON.stringify(setAt(bodyOf(b), target.path, { ...(target.value as object), [`${key}-marker`]: { polluted: 'yes' } }));
          // `__proto__` as an own member, as JSON.parse creates it: the classic pollution probe.
          return named(`unknown field ${key}`, render('', { ...b, mediaType: 'application/json' }, { raw: text.replace(`"${key}-marker"`, JSON.stringify(key)) }));
        }),
      },
      {
        name: 'not an object',
        weight: 1,
        arb: fc.tuple(base, fc.constantFrom('null', '[]', '[{}]', '"text"', '0', 'true', '""', ' ', '{}')).map(([b, raw]) => named(`body ${raw}`, render('', b, { raw, headers: { 'content-type': 'application/json' } }))),
      },
      {
        name: 'malformed JSON',
        weight: 1,
        arb: fc.tuple(base, fc.nat(), fc.constantFrom('trunc', 'bom', 'dup', 'nan', 'big', 'comment', 'single')).map(([b, n, how]) => {
          const text = JSON.stringify(bodyOf(b));
          const raw = {
            trunc: text.slice(0, Math.max(1, n % text.length)),
            bom: `\ufeff${text}`,
            dup: text.length > 2 ? `{"a":1,"a":2,${text.slice(1)}` : '{"a":1,"a":2}',
            nan: '{"x":NaN,"y":Infinity}',
            big: `{"${anyProps[0] ?? 'x'}":1e999}`,
            comment: `/* x */${text}`,
            single: text.replace(/"/g, "'"),
          }[how];
          return named(`malformed JSON (${how})`, render('', b, { raw, headers: { 'content-type': 'application/json' } }));
        }),
      },
      {
        name: 'content type',
        weight: 1,
        arb: fc
          .tuple(base, fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'application/x-www-form-urlencoded', 'application/json, text/plain', ''))
          .map(([b, type]) => named(`content type ${JSON.stringify(type)}`, render('', b, { raw: JSON.stringify(bodyOf(b)), headers: { 'content-type': type } }))),
      },
    );
  } else {
    variants.push({
      name: 'body where none is taken',
      weight: 1,
      arb: fc.tuple(base, fc.constantFrom('{"a":1}', '['.repeat(5000), 'not json')).map(([b, raw]) => named('body where none is taken', render('', b, { raw, headers: { 'content-type': 'application/json' } }))),
    });
  }
  if (op.pathParams.length) {
    variants.push(
      {
        name: 'bad id',
        weight: 4,
        arb: fc.tuple(base, fc.constantFrom(...op.pathParams.map((p) => p.name)), fc.constantFrom(...BAD_IDS), fc.boolean()).map(([b, param, bad, upper]) => {
          const value = bad === '12345678-1234-1234-1234-1234567890ab' && upper ? (b.path[param] ?? bad).toUpperCase() : bad;
          return named(`bad id ${param}=${value.slice(0, 40)}`, render('', b, { rawPath: [param, value] }));
        }),
      },
      {
        name: 'id of another kind or table',
        weight: 3,
        arb: fc.tuple(base, fc.constantFrom(...op.pathParams.map((p) => p.name)), fc.constantFrom(...w.values.uuids)).map(([b, param, id]) => named(`id of another kind or table: ${param}`, render('', b, { rawPath: [param, id] }))),
      },
    );
  }
  variants.push({
    name: 'bad query',
    weight: 2,
    arb: fc
      .tuple(
        base,
        fc.constantFrom(...op.queryParams.map((p) => p.name), 'unknown'),
        fc.constantFrom('%00', '%ED%A0%80', 'x'.repeat(5000), '', '-1', '0', '1e9', '1.5', 'NaN', 'true', '%5B%5D', '2026-13-45', 'null', '%E0%A4%A', '%'),
        fc.constantFrom('one', 'twice', 'bracket', 'proto'),
      )
      .map(([b, name, value, how]) => {
        const pair = `${name}=${value}`;
        const rest = b.query.filter(([k]) => k !== name).map(([k, v]) => `${encodePiece(k)}=${encodePiece(v)}`);
        const extra = { one: [pair], twice: [pair, pair], bracket: [`${name}[]=${value}`, `${name}[a]=${value}`], proto: ['__proto__[polluted]=yes', 'constructor[prototype][polluted]=yes', pair] }[how];
        return named(`bad query ${how} ${name}=${value.slice(0, 20)}`, render('', b, { rawQuery: [...rest, ...extra].join('&') }));
      }),
  });
  variants.push({
    name: 'bad credentials',
    weight: 2,
    arb: fc
      .tuple(base, fc.constantFrom('forged', 'none', 'truncated', 'doubled', 'basic', 'scheme', 'empty', 'expired'))
      .map(([b, how]) => named(`bad credentials (${how})`, render('', b, { auth: how }))),
  });
  return fc.oneof(...variants.map((v) => ({ arbitrary: v.arb.map((r) => ({ ...r, kind: v.name })), weight: v.weight })));
}

/** Authorization headers a hostile client sends: forged, unsigned, cut, doubled, of the wrong scheme. */
function hostileAuthorization(how: string, token: string | undefined): Record<string, string> {
  const real = token ?? 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
  const [header, claims] = real.split('.');
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const adminClaims = { ...JSON.parse(Buffer.from(claims, 'base64url').toString() || '{}'), roles: ['admin', 'privacy_officer'], exp: 4_102_444_800 };
  switch (how) {
    case 'forged':
      return { authorization: `Bearer ${header}.${b64(adminClaims)}.${real.split('.')[2]}` };
    case 'none':
      return { authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(adminClaims)}.` };
    case 'truncated':
      return { authorization: `Bearer ${real.slice(0, -5)}` };
    case 'doubled':
      return { authorization: `Bearer ${real} Bearer ${real}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` };
    case 'scheme':
      return { authorization: real };
    case 'empty':
      return { authorization: 'Bearer ' };
    case 'expired':
      return { authorization: `Bearer ${header}.${b64({ ...adminClaims, exp: 1 })}.${real.split('.')[2]}` };
    default:
      return {};
  }
}

// --- running and checking ------------------------------------------------------------------------------

async function send(w: FuzzWorld, request: FuzzRequest): Promise<Answer> {
  const res = await w.t.app.getHttpAdapter().getInstance().inject({
    method: request.method as 'GET',
    url: request.url,
    headers: request.headers,
    payload: request.payload,
  });
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

const describeRequest = (r: FuzzRequest) => {
  const body = r.payload === undefined ? '' : ` body(${r.payload.length}) ${JSON.stringify(r.payload.length > 300 ? `${r.payload.slice(0, 300)}…` : r.payload)}`;
  const headers = Object.entries(r.headers)
    .filter(([k]) => k !== 'authorization' || !/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(r.headers[k]))
    .map(([k, v]) => `${k}: ${v.length > 80 ? `${v.slice(0, 80)}…` : v}`);
  return `as ${r.caller} [${r.variant}] ${r.method} ${r.url.length > 300 ? `${r.url.slice(0, 300)}…` : r.url}${headers.length ? ` {${headers.join('; ')}}` : ''}${body}`;
};

/**
 * The one documented exception to problem+json: the OAuth2 token endpoint answers its errors as RFC 6749
 * section 5.2 says, `application/json` with `error` (and the problem members, `code` among them, in the same
 * object); problem+json only when Accept prefers it. Its other errors (429, 503, 405) are problem+json as everywhere.
 */
const RFC6749_ERRORS = new Set(['POST /api/v1/oauth/token']);

/** What is wrong with one answer (empty when nothing is). */
function defects(answer: Answer, key?: string): string[] {
  const out: string[] = [];
  if (answer.status >= 500) out.push(`answered ${answer.status}`);
  if (!answer.headers['api-version']) out.push(`answered ${answer.status} without API-Version`);
  if (answer.status >= 200 && answer.status < 300) return out;
  // 304 Not Modified (a cacheable route answering a conditional request) is no error: it has no body by definition
  // (RFC 9110 15.4.5), but must carry the entity tag the client compares.
  if (answer.status === 304) {
    if (answer.body.length) out.push('answered 304 with a body');
    if (!answer.headers.etag) out.push('answered 304 without an ETag');
    return out;
  }
  const type = String(answer.headers['content-type'] ?? '');
  const oauthError = !!key && RFC6749_ERRORS.has(key) && type.startsWith('application/json') && /"error":"[a-z_]+"/.test(answer.body);
  if (!type.startsWith('application/problem+json') && !oauthError) out.push(`answered ${answer.status} as ${type || 'no content type'}, not problem+json`);
  else {
    let problem: { code?: unknown; status?: unknown } | undefined;
    try {
      problem = JSON.parse(answer.body);
    } catch {
      out.push(`answered ${answer.status} with a problem body that is not JSON`);
    }
    if (problem && typeof problem.code !== 'string') out.push(`answered ${answer.status} with a problem without a code`);
    if (problem && problem.status !== answer.status) out.push(`answered ${answer.status} with a problem whose status is ${String(problem.status)}`);
  }
  return out;
}

export interface FuzzOptions {
  requestsPerOperation: number;
  seed: number;
  /** Name of the report under test/output/. */
  report: string;
}

/** Declares the fuzz suite: `requestsPerOperation` requests to every operation of the document. */
export function describeFuzz(options: FuzzOptions): void {
  const { requestsPerOperation, seed } = options;
  describe(`OpenAPI fuzz: ${requestsPerOperation} requests per operation (seed ${seed})`, () => {
    let w: FuzzWorld;
    let operations: DocumentOperation[];
    const stats = new Map<string, OperationStats>();
    const findings = new Map<string, Finding>();
    let lastChange = 0;
    let acceptedWrites = 0;

    const find = (where: string, kind: string, example: string) => {
      const key = `${where}: ${kind}`;
      const known = findings.get(key);
      if (known) known.count++;
      else findings.set(key, { count: 1, example });
    };

    /** The tables changed since the last look, and the new watermark. */
    const changes = async (): Promise<string[]> => {
      const { rows } = await w.owner.query(
        `SELECT coalesce(max(id), $1) AS last, coalesce(array_agg(DISTINCT table_name || ' ' || operation) FILTER (WHERE id > $1), '{}') AS changed FROM fuzz_change WHERE id > $1`,
        [lastChange],
      );
      lastChange = Number(rows[0].last);
      return rows[0].changed as string[];
    };

    let t: TestApp | undefined;

    beforeAll(async () => {
      t = await startTestApp({
        seed: false,
        role: 'api',
        // The fuzz must reach the handlers, not the rate limiters (their 429s are tested elsewhere).
        env: { AUTH_RATE_LIMIT_PER_MINUTE: '1000000', LOGIN_MAX_FAILURES: '1000000' },
      });
      w = await buildWorld(t);
      operations = documentOperations(w.doc);
      await changes();
    }, 180_000);

    afterAll(async () => {
      const lines = [...stats.entries()].map(([key, s]) => {
        const statuses = [...s.statuses].sort(([a], [b]) => a - b).map(([k, v]) => `${k}:${v}`).join(' ');
        return `${key.padEnd(66)} n=${String(s.requests).padStart(4)} ms/req=${(s.ms / s.requests).toFixed(1).padStart(5)} max=${Math.round(s.maxMs).toString().padStart(4)} ${statuses}`;
      });
      const variants = new Map<string, number>();
      for (const s of stats.values()) for (const [v, n] of s.variants) variants.set(v, (variants.get(v) ?? 0) + n);
      const report = [
        `fuzz: seed ${seed}, ${requestsPerOperation} requests per operation, callers ${FUZZ_CALLERS.join(', ')}`,
        `reproduce: FUZZ_SEED=${seed}`,
        '',
        ...lines,
        '',
        'requests per variant:',
        ...[...variants].sort(([, a], [, b]) => b - a).map(([v, n]) => `  ${String(n).padStart(6)}  ${v}`),
        '',
        `findings: ${findings.size}`,
        ...[...findings].map(([k, x]) => `${k} (${x.count}×)\n    e.g. ${x.example}`),
        '',
      ];
      mkdirSync(join(__dirname, '..', 'output'), { recursive: true });
      writeFileSync(join(__dirname, '..', 'output', options.report), report.join('\n'));
      await w?.owner.end();
      await t?.close();
    });

    it('fuzzes every registered route the document lists (all but the metrics scrape and the OAuth2 server metadata)', () => {
      const routes = collectRoutes(w.t).map(routeKey).filter((k) => k !== 'GET /metrics' && k !== 'GET /.well-known/oauth-authorization-server');
      expect(operations.map((o) => o.key).sort()).toEqual(routes.sort());
    });

    it('reads a document whose schemas say what they take (the generator relies on it)', () => {
      // A TypeScript union (`string | null`, `unknown`) reaches the document as `type: object` without
      // properties, which describes nothing a client can send; and an optional header must not be required.
      const untyped = Object.entries(w.doc.components.schemas).flatMap(([name, s]) =>
        Object.entries(s.properties ?? {})
          .filter(([, p]) => p.type === 'object' && !p.properties && !p.allOf && !p.$ref)
          .map(([k]) => `${name}.${k}`),
      );
      expect(untyped).toEqual([]);
      const token = operations.find((o) => o.key === 'POST /api/v1/oauth/token')!;
      expect(token.headerParams.filter((p) => p.required).map((p) => p.name)).toEqual([]);
    });

    it('never answers 5xx, always answers problem+json with API-Version and a code, and a refused request changes no table', async () => {
      for (const [index, op] of operations.entries()) {
        const arb = requestArbitrary(w, op);
        const generated = fc.sample(arb, { seed: seed + index, numRuns: requestsPerOperation });
        const s: OperationStats = { requests: 0, statuses: new Map(), variants: new Map(), ms: 0, maxMs: 0 };
        stats.set(op.key, s);
        for (const [i, g] of generated.entries()) {
          const caller = FUZZ_CALLERS[i % FUZZ_CALLERS.length];
          const spare = ENDS_SESSIONS.has(op.key) && caller in w.callers.spare ? w.callers.spare[caller as keyof Callers['spare']] : undefined;
          const token = spare ?? w.callers.tokens[caller];
          const auth = g.auth === 'caller' ? (spare ? bearer(spare) : authorization(w.callers, caller)) : hostileAuthorization(g.auth, token);
          const { auth: _, ...rest } = g;
          // A header the operation takes itself (the Basic credentials of /oauth/token) wins over the caller's.
          const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
          const request: FuzzRequest = { ...rest, caller, headers: { ...lower(auth), ...lower(g.headers) } };
          const started = performance.now();
          let answer: Answer;
          try {
            answer = await send(w, request);
          } catch (e) {
            find(op.key, 'the request could not be sent', `${describeRequest(request)}: ${(e as Error).message}`);
            continue;
          }
          const ms = performance.now() - started;
          s.ms += ms;
          s.maxMs = Math.max(s.maxMs, ms);
          s.requests++;
          s.statuses.set(answer.status, (s.statuses.get(answer.status) ?? 0) + 1);
          s.variants.set(request.kind, (s.variants.get(request.kind) ?? 0) + 1);
          const example = () => `${describeRequest(request)} → ${answer.status} ${answer.body.slice(0, 300)}`;
          for (const d of defects(answer, op.key)) find(op.key, d, example());
          // The app runs in this process: a handler that holds the event loop shows here as a slow answer.
          if (ms > SLOW_MS) find(op.key, `took more than ${SLOW_MS} ms`, `${example()} (${Math.round(ms)} ms)`);
          const changed = await changes();
          if (answer.status < 300 && changed.length) acceptedWrites++;
          const unexpected = changed.filter((c) => !REFUSAL_WRITES[op.key]?.includes(c));
          if (answer.status >= 400 && unexpected.length) find(op.key, `refused with ${answer.status} but changed ${unexpected.sort().join(', ')}`, example());
        }
        await restore(w, op);
        await changes();
      }
      const report = [...findings].map(([k, x]) => `${k} (${x.count}×); e.g. ${x.example}`);
      const reproduce = `FUZZ_SEED=${seed}`;
      expect({ reproduce, findings: report }).toEqual({ reproduce, findings: [] });
      const few = [...stats].filter(([, s]) => s.requests < requestsPerOperation).map(([k, s]) => `${k}: ${s.requests}`);
      expect(few).toEqual([]);
      // The watch sees changes at all (else "no refused request changed a table" would prove nothing).
      expect(acceptedWrites).toBeGreaterThan(5);
    }, 3_600_000);

    it('left Object.prototype as it was (no pollution through __proto__ in bodies or queries)', () => {
      expect(Object.keys(Object.prototype)).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
}
