import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ActionError } from '../src/actions/actions.errors';
import { AuthError } from '../src/auth/auth.errors';
import { ApiScope, PERMISSIONS } from '../src/auth/permissions';
import { CaseError } from '../src/cases/cases.errors';
import { CommonError } from '../src/common/problem';
import { EscalationError } from '../src/escalations/escalations.errors';
import { OperationsError } from '../src/health/operations.errors';
import { AgendaError } from '../src/meetings/agenda/agenda.errors';
import { MeetingError } from '../src/meetings/meetings.errors';
import { MinutesError } from '../src/meetings/minutes/minutes.errors';
import { SessionError } from '../src/meetings/session/session.errors';
import { OrganisationError } from '../src/organisations/organisation.errors';
import { PrivacyError } from '../src/privacy/privacy.errors';
import { SharingError } from '../src/sharing/sharing.errors';
import { TableError } from '../src/tables/tables.errors';
import { UserError } from '../src/users/user.errors';
import { WebhookError } from '../src/webhooks/webhooks.errors';
import { openApiDocumentWithoutServer } from '../src/cli/openapi-document';
import { givenCase, givenTable } from './support/factories';
import { collectRoutes, RouteInfo, routeKey } from './support/routes';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

/**
 * The served OpenAPI document against the official Logius ADR ruleset (test/openapi/adr-ruleset.yaml, run by the
 * Spectral CLI as an integrator would), plus what the ruleset does not check but integrators rely on; and the
 * docs page's OAuth2 client-credentials flow, driven only by the document, as Swagger UI does it.
 */

const CODES = new Set(
  [CommonError, AuthError, SharingError, TableError, OrganisationError, UserError, CaseError, MeetingError, AgendaError, SessionError, MinutesError, ActionError, EscalationError, OperationsError, WebhookError, PrivacyError].flatMap(
    (e) => Object.values(e) as string[],
  ),
);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Json = Record<string, any>;
interface Op {
  method: (typeof METHODS)[number];
  path: string;
  /** The path as the server routes it (server URL's path + document path, `{x}` as `:x`). */
  routePath: string;
  op: Json;
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: Json;
  let ops: Op[];

  const deref = (o: Json | undefined): Json | undefined => {
    if (!o?.$ref) return o;
    return (o.$ref as string).slice(2).split('/').reduce((node: Json, key) => node?.[key], doc);
  };
  const serverPath = (path: string) => new URL((doc.paths[path].servers ?? doc.servers)[0].url).pathname.replace(/\/$/, '');
  const responses = () => ops.flatMap(({ method, path, op }) => Object.entries(op.responses as Json).map(([status, r]) => ({ where: `${method.toUpperCase()} ${path} ${status}`, method, path, status: Number(status), r: deref(r as Json)! })));

  beforeAll(async () => {
    t = await startTestApp();
    doc = JSON.parse((await t.http().get('/api/v1/openapi.json').expect(200)).text);
    ops = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method], routePath: `${serverPath(path)}${path}`.replace(/\{(\w+)\}/g, ':$1') })),
    );
  });
  afterAll(() => t?.close());

  it('has 0 errors under the official Logius ADR Spectral ruleset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-openapi-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
      const run = spawnSync(join(__dirname, '..', 'node_modules', '.bin', 'spectral'), ['lint', '-r', join(__dirname, 'openapi', 'adr-ruleset.yaml'), join(dir, 'openapi.json'), '-f', 'json', '--quiet'], {
        encoding: 'utf8',
        timeout: 170_000,
      });
      expect({ stderr: run.stderr, error: run.error?.message }).toEqual({ stderr: '', error: undefined });
      const results = JSON.parse(run.stdout) as { code: string; path: string[]; message: string; severity: number }[];
      // Severity 0 is an error; warnings (e.g. an http:// server URL in development) may stay.
      expect(results.filter((e) => e.severity === 0).map((e) => `${e.code} ${e.path.join('.')}: ${e.message}`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000); // Spectral takes ~3 s alone, far more on a loaded machine

  it('is the same document `npm run lint:openapi` builds without a server', async () => {
    expect(JSON.parse(JSON.stringify(await openApiDocumentWithoutServer(t.config)))).toEqual(doc);
  });

  it('describes every response and declares API-Version and X-Request-Id on each', () => {
    expect(responses().filter(({ r }) => !r.description?.trim()).map((x) => x.where)).toEqual([]);
    const missing = responses().filter(({ r }) => !deref(r.headers?.['API-Version'])?.schema || !deref(r.headers?.['X-Request-Id'])?.schema);
    expect(missing.map((x) => x.where)).toEqual([]);
    expect(deref(doc.components.headers['API-Version'])).toMatchObject({ required: true, schema: { example: doc.info.version } });
  });

  it('gives every error response a real problem example: type, title, its own status, detail and a known code', () => {
    const bad = responses()
      .filter(({ status }) => status >= 400)
      .flatMap(({ where, path, status, r }) => {
        const content = r.content?.['application/problem+json'];
        const ex = content?.example;
        const wrong = [
          !content && 'no application/problem+json',
          typeof ex?.type !== 'string' && 'type',
          typeof ex?.title !== 'string' && 'title',
          ex?.status !== status && `status ${ex?.status}`,
          !(typeof ex?.detail === 'string' && ex.detail.length > 0) && 'detail',
          !CODES.has(ex?.code) && `code ${ex?.code}`,
          status === 400 && !(ex?.invalidParams?.length > 0) && 'invalidParams',
          // Health answers 503 without a delay to wait for; every operation under /api/v1 says how long.
          (status === 429 || status === 503) && serverPath(path) === '/api/v1' && !r.headers?.['Retry-After'] && 'Retry-After',
        ].filter(Boolean);
        return wrong.length ? [`${where}: ${wrong.join(', ')}`] : [];
      });
    expect(bad).toEqual([]);
  });

  it('answers 401 and 403 on every authenticated operation and 503 on every one under /api/v1', () => {
    const bad = ops.flatMap(({ method, path, op }) => {
      const need = [...((op.security ?? []).length ? ['401', '403'] : []), ...(serverPath(path) === '/api/v1' ? ['503'] : [])];
      const lacking = need.filter((s) => !op.responses[s]);
      return lacking.length ? [`${method.toUpperCase()} ${path}: ${lacking.join(', ')}`] : [];
    });
    expect(bad).toEqual([]);
  });

  it('declares every tag an operation uses, with a description', () => {
    const declared = new Map((doc.tags as { name: string; description?: string }[]).map((tag) => [tag.name, tag.description]));
    const used = new Set(ops.flatMap(({ op }) => op.tags ?? []));
    expect([...used].filter((tag) => !declared.get(tag)?.trim())).toEqual([]);
    expect(ops.filter(({ op }) => !op.tags?.length).map(({ method, path }) => `${method} ${path}`)).toEqual([]);
  });

  it('offers OAuth2 client credentials with every scope next to the bearer scheme', () => {
    const { bearer: people, oauth2 } = doc.components.securitySchemes;
    expect(people).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(oauth2.type).toBe('oauth2');
    expect(new URL(oauth2.flows.clientCredentials.tokenUrl).pathname).toBe('/api/v1/oauth/token');
    expect(oauth2.flows.clientCredentials.tokenUrl).toBe(`${t.config.PUBLIC_BASE_URL}/api/v1/oauth/token`);
    const scopes = oauth2.flows.clientCredentials.scopes as Record<string, string>;
    expect(Object.keys(scopes).sort()).toEqual(Object.values(ApiScope).sort());
    expect(Object.entries(scopes).filter(([, d]) => !d?.trim())).toEqual([]);
  });

  describe('matches the routes the server registered', () => {
    let routes: Map<string, RouteInfo>;
    let throttled: Set<string>;

    beforeAll(() => {
      routes = new Map(collectRoutes(t).map((r) => [routeKey(r), r]));
      throttled = throttledHandlers(t);
    });
    const routeOf = ({ method, routePath }: Op) => routes.get(`${method.toUpperCase()} ${routePath}`);

    it('documents every operation at a path the server routes (health outside /api/v1), and no /metrics', () => {
      expect(ops.filter((o) => !routeOf(o)).map((o) => `${o.method.toUpperCase()} ${o.routePath}`)).toEqual([]);
      expect(Object.keys(doc.paths).filter((p) => p.includes('metrics'))).toEqual([]);
      expect(ops.filter((o) => o.path.startsWith('/health/')).map((o) => o.routePath).sort()).toEqual(['/health/live', '/health/ready']);
    });

    it('lists bearer, and the OAuth2 scope of every partner system that holds the permission, on each authenticated operation', () => {
      const bad = ops.flatMap((o) => {
        const auth = routeOf(o)?.auth;
        if (!auth || auth.public) return (o.op.security ?? []).length ? [`${o.method} ${o.path}: public but secured`] : [];
        const expected = [{ bearer: [] }, ...(PERMISSIONS[auth.permission].scopes ?? []).map((s) => ({ oauth2: [s] }))];
        const actual = o.op.security ?? [];
        return JSON.stringify([...actual].sort(bySecurity)) === JSON.stringify(expected.sort(bySecurity)) ? [] : [`${o.method} ${o.path}: ${JSON.stringify(actual)}`];
      });
      expect(bad).toEqual([]);
    });

    it('documents 429 with Retry-After on every throttled operation', () => {
      const bad = ops.filter((o) => throttled.has(routeOf(o)?.name ?? '') && !o.op.responses['429']?.headers?.['Retry-After']);
      expect(throttled.size).toBeGreaterThan(0);
      expect(bad.map((o) => `${o.method} ${o.path}`)).toEqual([]);
    });

    it('answers no documented operation with "no such route" when called at server URL + path', async () => {
      const wrong: string[] = [];
      for (const o of ops) {
        const url = o.routePath.replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000');
        const req = t.http()[o.method](url);
        const res = await (['post', 'put', 'patch'].includes(o.method) ? req.send({}) : req);
        // A route that matched echoes `instance` in its problem (e.g. a resource not found); no route never does.
        if (res.status === 405 || (res.status === 404 && !res.body?.instance)) wrong.push(`${o.method.toUpperCase()} ${url}: ${res.status}`);
      }
      expect(wrong).toEqual([]);
    });
  });

  it('documents PATCH preconditions and merge-patch bodies, Link on pages, ETag on single resources', () => {
    const patches = ops.filter((o) => o.method === 'patch');
    expect(patches.length).toBeGreaterThan(5);
    const bad = patches.flatMap(({ path, op }) => {
      const wrong = [
        !(op.parameters ?? []).map(deref).some((p: Json) => p.in === 'header' && p.name === 'If-Match' && !p.required) && 'If-Match',
        !op.responses['412'] && '412',
        !op.responses['200']?.headers?.ETag && 'ETag',
        JSON.stringify(op.requestBody?.content?.['application/merge-patch+json']) !== JSON.stringify(op.requestBody?.content?.['application/json']) && 'merge-patch',
      ].filter(Boolean);
      return wrong.length ? [`PATCH ${path}: ${wrong.join(', ')}`] : [];
    });
    expect(bad).toEqual([]);
    const pages = responses().filter(({ method, status, r }) => method === 'get' && status === 200 && deref(r.content?.['application/json']?.schema)?.properties?.nextCursor);
    expect(pages.length).toBeGreaterThan(3);
    expect(pages.filter(({ r }) => !r.headers?.Link).map((x) => x.where)).toEqual([]);
    // ETag where the resource has a PATCH (its version is kept), and only there.
    const gets = ops.filter((o) => o.method === 'get' && o.path.endsWith('}'));
    expect(gets.filter((o) => !!o.op.responses['200']?.headers?.ETag !== !!doc.paths[o.path].patch).map((o) => o.path)).toEqual([]);
    expect(doc.paths['/cases/{id}'].get.responses['200'].headers.ETag).toBeDefined();
  });

  describe('the docs page', () => {
    it('serves Swagger UI with the OAuth2 flow, persisted authorization, and a CSP that admits only what it loads', async () => {
      const page = await t.http().get('/api/v1/docs').redirects(1).expect(200);
      expect(page.text).not.toMatch(/<script>/); // every script is a file: script-src 'self' suffices
      const csp = page.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain(`connect-src 'self' ${t.config.PUBLIC_BASE_URL}`);
      expect(csp).toContain("frame-ancestors 'none'");
      const init = (await t.http().get('/api/v1/docs/swagger-ui-init.js').expect(200)).text;
      const options = JSON.parse(/let options = (\{[\s\S]*?\n\});/.exec(init)![1]);
      expect(options.customOptions).toMatchObject({ persistAuthorization: true, initOAuth: { scopeSeparator: ' ' } });
      expect(options.swaggerDoc.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl).toBe(doc.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl);
    });

    it('lets a partner obtain a token as Swagger UI does and push an incident, from the document alone', async () => {
      const admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
      const table = await givenTable(t.dataSource);
      const c = await givenCase(t.dataSource, table);
      const client = (await t.http().post('/api/v1/api-clients').set(bearer(admin)).send({ organisationId: table.organisations.POLICE, name: 'Politie BVH (docs page)', scopes: [ApiScope.IncidentsWrite] }).expect(201)).body;

      // Swagger UI's Authorize dialog: POST to the flow's tokenUrl, form-encoded, client credentials in HTTP Basic.
      const tokenUrl = new URL(doc.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl);
      const token = await t.http()
        .post(tokenUrl.pathname)
        .set('Authorization', `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`)
        .type('form')
        .send(`grant_type=client_credentials&scope=${encodeURIComponent(ApiScope.IncidentsWrite)}`)
        .expect(200);
      expect(token.body.token_type).toMatch(/^bearer$/i);

      // "Try it out" on the operation whose oauth2 requirement is incidents:write and that names the case by reference.
      const push = ops.find((o) => o.method === 'post' && o.op.tags?.includes('incidents') && o.op.security?.some((s: Json) => s.oauth2?.includes(ApiScope.IncidentsWrite)) && deref(o.op.requestBody?.content?.['application/json']?.schema)?.properties?.caseReference);
      expect(push).toBeDefined();
      const res = await t.http()
        .post(new URL(`${doc.servers[0].url}${push!.path}`).pathname)
        .set('Authorization', `Bearer ${token.body.access_token}`)
        .send({ caseReference: c.reference, kind: 'theft', severity: 'serious', occurredAt: '2026-03-03T21:15:00+01:00', externalReference: 'BVH-DOCS-1' })
        .expect(201);
      const created = push!.op.responses['201'];
      expect(res.headers.location).toBe(`/api/v1/incidents/${res.body.id}`);
      expect(created.headers.Location).toBeDefined();
      expect(res.headers['api-version']).toBe(doc.info.version);
    });
  });
});

const bySecurity = (a: Json, b: Json) => JSON.stringify(a).localeCompare(JSON.stringify(b));

/** `Controller.method` of every handler guarded by the throttler (the name collectRoutes gives). */
function throttledHandlers(t: TestApp): Set<string> {
  const names = new Set<string>();
  const scanner = t.app.get(MetadataScanner);
  for (const wrapper of t.app.get(DiscoveryService).getControllers()) {
    const instance = wrapper.instance as object;
    if (!instance) continue;
    for (const method of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = (instance as Record<string, unknown>)[method] as object;
      const guards = [...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[]) ?? []), ...((Reflect.getMetadata(GUARDS_METADATA, wrapper.metatype as object) as unknown[]) ?? [])];
      if (guards.some((g) => g === ThrottlerGuard || (typeof g === 'function' && g.prototype instanceof ThrottlerGuard))) names.add(`${wrapper.name}.${method}`);
    }
  }
  return names;
}
