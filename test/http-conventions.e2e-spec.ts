import { routeTableOf } from '../src/common/http-hardening';
import { DiscoveryService } from '@nestjs/core';
import { AddressInfo, connect } from 'node:net';
import { AuthError } from '../src/auth/auth.errors';
import { CommonError } from '../src/common/problem';
import { VERSIONED_METADATA, VersionedTable } from '../src/common/etag';
import { collectRoutes, RouteInfo, routeKey } from './support/routes';
import request from 'supertest';
import { bearer, login, partnerToken, startAppOn, startTestApp, TestApp } from './support/test-app';
import { ownerClient } from './support/test-database';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';
const concrete = (path: string) => path.replace(/:(\w+)/g, SAMPLE_ID).replace(/\*$/, 'probe.js');

describe('HTTP conventions (RFC 9110, ADR)', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  beforeAll(async () => {
    t = await startTestApp({ seed: false, role: 'api' });
    routes = collectRoutes(t);
  });
  afterAll(() => t.close());

  it('answers every method a path does not register with 405 problem, method_not_allowed and Allow listing the registered ones', async () => {
    const byPath = new Map<string, Set<string>>();
    // Nest's routes and those registered on Fastify directly (documentation, the dashboard's static files). The
    // queue dashboard's own API is left out: its catch-all GET serves the UI, so a wrong method there answers 401
    // without a dashboard session (test/queue-dashboard.e2e-spec.ts walks it).
    const all = [...routes.map((r) => ({ method: r.method, path: r.path })), ...routeTableOf(t.app)!.list().map((r) => ({ method: r.method, path: r.url }))];
    for (const r of all.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !(r.path.startsWith('/admin/queues') && !r.path.startsWith('/admin/queues/static/')))) byPath.set(r.path, (byPath.get(r.path) ?? new Set()).add(r.method));
    expect(byPath.size).toBeGreaterThan(50);
    const wrong: unknown[] = [];
    let probed = 0;
    for (const [path, registered] of byPath) {
      const allow = [...registered, ...(registered.has('GET') ? ['HEAD'] : [])].sort();
      for (const method of METHODS.filter((m) => !registered.has(m) && !(m === 'HEAD' && registered.has('GET')))) {
        probed++;
        const res = await t.http()[method.toLowerCase() as 'get'](concrete(path)).set('Content-Type', 'application/json').send(method === 'GET' || method === 'HEAD' || method === 'DELETE' ? undefined : '{}');
        const got = {
          status: res.status,
          type: res.headers['content-type']?.split(';')[0],
          code: method === 'HEAD' ? 'method_not_allowed' : (res.body?.code ?? JSON.parse(res.text || '{}').code),
          allow: (res.headers.allow as string | undefined)?.split(/,\s*/).sort(),
        };
        const want = { status: 405, type: 'application/problem+json', code: 'method_not_allowed', allow };
        if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push({ route: `${method} ${path}`, got, want });
      }
    }
    expect(probed).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  });
});

/** How each PATCH route is exercised; a PATCH route missing here fails the test (add it, with @Versioned). */
interface PatchFixture {
  path: string;
  token: string;
  table: VersionedTable;
  id: string;
  /** Two valid changes: the first applied in sequence, the second raced. */
  bodies: [Record<string, unknown>, Record<string, unknown>];
}

describe('ETag and If-Match on every PATCH route; merge-patch+json accepted on PATCH only', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  let fixtures: Record<string, PatchFixture>;
  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => {
    const [row] = await t.dataSource.query(sql, params);
    if (!row) throw new Error(`no fixture row for ${sql}`);
    return row as T;
  };
  const versionOf = async (f: PatchFixture) => (await one<{ version: number }>(`SELECT version FROM ${f.table} WHERE id = $1`, [f.id])).version;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    routes = collectRoutes(t);
    const admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
    const chair = (await login(t, 'coa@demo.ketentafel.nl')).accessToken;
    const table = await one<{ id: string }>(`SELECT id FROM chain_table ORDER BY created_at LIMIT 1`);
    const org = await one<{ id: string }>(`SELECT o.id FROM organisation o JOIN app_user u ON u.organisation_id = o.id WHERE u.email = 'gemeente@demo.ketentafel.nl'`);
    const user = await one<{ id: string }>(`SELECT id FROM app_user WHERE email = 'ind@demo.ketentafel.nl'`);
    const client = await one<{ id: string }>(`SELECT id FROM api_client ORDER BY created_at LIMIT 1`);
    const membership = await one<{ id: string }>(`SELECT id FROM table_membership WHERE table_id = $1 AND role = 'member' AND ended_at IS NULL ORDER BY started_at, id LIMIT 1`, [table.id]);
    const caseFile = await one<{ id: string }>(`SELECT id FROM case_file WHERE table_id = $1 ORDER BY created_at LIMIT 1`, [table.id]);
    const measure = await one<{ id: string; status: string; starts_at: Date; email: string }>(
      `SELECT m.id, m.status, m.starts_at, u.email FROM measure m JOIN app_user u ON u.organisation_id = m.imposing_organisation_id
        WHERE m.status IN ('planned', 'active') ORDER BY m.created_at, u.email LIMIT 1`,
    );
    const imposer = (await login(t, measure.email)).accessToken;
    const meeting = await one<{ id: string }>(`SELECT id FROM meeting WHERE table_id = $1 AND status <> 'closed' ORDER BY scheduled_at LIMIT 1`, [table.id]);
    const item = (await t.http().post(`/api/v1/meetings/${meeting.id}/agenda-items`).set(bearer(chair)).send({ topic: 'Overlast' }).expect(201)).body as { id: string };
    const police = await one<{ organisation_id: string }>(`SELECT organisation_id FROM app_user WHERE email = 'politie@demo.ketentafel.nl'`);
    const partner = await partnerToken(t, admin, police.organisation_id, ['webhooks:manage']);
    const hook = (await t.http().post('/api/v1/webhook-subscriptions').set(bearer(partner)).send({ url: 'https://example.org/hooks', eventTypes: ['action_overdue'] }).expect(201)).body;
    const endsAt = (days: number) => new Date(new Date(measure.starts_at).getTime() + days * 86_400_000).toISOString();
    fixtures = {
      'PATCH /api/v1/organisations/:id': { path: `/api/v1/organisations/${org.id}`, token: admin, table: 'organisation', id: org.id, bodies: [{ name: 'Gemeente Ter Apel' }, { name: 'Gemeente Vlagtwedde' }] },
      'PATCH /api/v1/users/:id': { path: `/api/v1/users/${user.id}`, token: admin, table: 'app_user', id: user.id, bodies: [{ name: 'Medewerker IND A' }, { name: 'Medewerker IND B' }] },
      'PATCH /api/v1/api-clients/:id': { path: `/api/v1/api-clients/${client.id}`, token: admin, table: 'api_client', id: client.id, bodies: [{ name: 'BVH koppeling A' }, { name: 'BVH koppeling B' }] },
      'PATCH /api/v1/tables/:id': { path: `/api/v1/tables/${table.id}`, token: chair, table: 'chain_table', id: table.id, bodies: [{ coaLocation: 'Ter Apel' }, { coaLocation: 'Budel' }] },
      'PATCH /api/v1/tables/:id/memberships/:membershipId': {
        path: `/api/v1/tables/${table.id}/memberships/${membership.id}`,
        token: admin,
        table: 'table_membership',
        id: membership.id,
        bodies: [{ role: 'member' }, { role: 'member' }],
      },
      'PATCH /api/v1/cases/:id': { path: `/api/v1/cases/${caseFile.id}`, token: chair, table: 'case_file', id: caseFile.id, bodies: [{ riskLevel: 'high' }, { riskLevel: 'medium' }] },
      'PATCH /api/v1/measures/:id': { path: `/api/v1/measures/${measure.id}`, token: imposer, table: 'measure', id: measure.id, bodies: [{ status: measure.status, endsAt: endsAt(30) }, { status: measure.status, endsAt: endsAt(60) }] },
      'PATCH /api/v1/meetings/:id': { path: `/api/v1/meetings/${meeting.id}`, token: chair, table: 'meeting', id: meeting.id, bodies: [{ location: 'Zaal 1' }, { location: 'Zaal 2' }] },
      'PATCH /api/v1/agenda-items/:id': { path: `/api/v1/agenda-items/${item.id}`, token: chair, table: 'agenda_item', id: item.id, bodies: [{ topic: 'Overlast A' }, { topic: 'Overlast B' }] },
      'PATCH /api/v1/webhook-subscriptions/:id': { path: `/api/v1/webhook-subscriptions/${hook.id}`, token: partner, table: 'webhook_subscription', id: hook.id, bodies: [{ description: 'A' }, { description: 'B' }] },
    };
  });
  afterAll(() => t.close());

  const patches = () => routes.filter((r) => r.method === 'PATCH');

  it('has a fixture for every PATCH route, and every PATCH route and the GET of its resource are @Versioned', () => {
    expect(patches().length).toBeGreaterThanOrEqual(10);
    expect(patches().map(routeKey).filter((k) => !fixtures[k])).toEqual([]);
    const unversioned = routes
      .filter((r) => r.method === 'PATCH' || (r.method === 'GET' && patches().some((p) => p.path === r.path)))
      .filter((r) => !versionedRoute(t, r))
      .map(routeKey);
    expect(unversioned).toEqual([]);
  });

  it('answers ETag, honours If-Match (412 on a stale version, row unchanged), returns the new ETag, and lets exactly one of two racing PATCHes win', async () => {
    for (const route of patches()) {
      const f = fixtures[routeKey(route)];
      const hasGet = routes.some((r) => r.method === 'GET' && r.path === route.path);
      const patch = (body: object, ifMatch?: string, type = 'application/json') => {
        const req = t.http().patch(f.path).set(bearer(f.token)).set('Content-Type', type);
        return (ifMatch ? req.set('If-Match', ifMatch) : req).send(JSON.stringify(body));
      };
      const label = routeKey(route);
      const start = hasGet ? await t.http().get(f.path).set(bearer(f.token)) : await patch(f.bodies[0]);
      expect({ label, status: start.status, etag: start.headers.etag }).toEqual({ label, status: 200, etag: expect.stringMatching(/^"\d+"$/) });
      const etag0 = start.headers.etag as string;

      // As a merge patch (RFC 7396), with the ETag just read.
      const first = await patch(f.bodies[0], etag0, 'application/merge-patch+json');
      expect({ label, status: first.status, etag: first.headers.etag }).toEqual({ label, status: 200, etag: expect.stringMatching(/^"\d+"$/) });
      const etag1 = first.headers.etag as string;
      expect(etag1).not.toBe(etag0);
      if (hasGet) {
        expect((await t.http().get(f.path).set(bearer(f.token)).expect(200)).headers.etag).toBe(etag1);
        // A copy of the current version: 304 without a body; of an older one: 200.
        const same = await t.http().get(f.path).set(bearer(f.token)).set('If-None-Match', `W/${etag1}`);
        expect({ label, status: same.status, etag: same.headers.etag, body: same.text ?? '' }).toEqual({ label, status: 304, etag: etag1, body: '' });
        expect((await t.http().get(f.path).set(bearer(f.token)).set('If-None-Match', etag0)).status).toBe(200);
      }

      // The old ETag is stale: 412 problem, nothing written.
      const before = await versionOf(f);
      const stale = await patch(f.bodies[1], etag0);
      expect({ label, status: stale.status, code: stale.body.code, type: stale.headers['content-type'] }).toEqual({
        label,
        status: 412,
        code: 'precondition_failed',
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(await versionOf(f)).toBe(before);
      if (hasGet) expect((await t.http().get(f.path).set(bearer(f.token)).expect(200)).headers.etag).toBe(etag1);
      // A weak tag never matches If-Match (strong comparison).
      expect((await patch(f.bodies[1], `W/${etag1}`)).status).toBe(412);

      // Two PATCHes of the same version at once: one wins, the other is refused.
      const raced = await Promise.all([patch(f.bodies[1], etag1), patch(f.bodies[0], etag1)]);
      expect({ label, statuses: raced.map((r) => r.status).sort() }).toEqual({ label, statuses: [200, 412] });

      // `*` matches any version; no If-Match keeps the last-writer-wins behaviour.
      expect({ label, status: (await patch(f.bodies[1], '*')).status }).toEqual({ label, status: 200 });
      expect({ label, status: (await patch(f.bodies[0])).status }).toEqual({ label, status: 200 });
    }
  });

  it('parses merge-patch+json with the JSON limits on every PATCH route, and refuses it on other methods with 415', async () => {
    for (const route of patches()) {
      const f = fixtures[routeKey(route)];
      const send = (text: string) => t.http().patch(f.path).set(bearer(f.token)).set('Content-Type', 'application/merge-patch+json').send(text);
      expect({ route: routeKey(route), code: (await send('{"name":')).body.code }).toEqual({ route: routeKey(route), code: 'invalid_json' });
      expect({ route: routeKey(route), code: (await send('['.repeat(40) + ']'.repeat(40))).body.code }).toEqual({ route: routeKey(route), code: 'json_too_deep' });
      const big = await send(`{"name":"${'x'.repeat(1_100_000)}"}`);
      expect({ route: routeKey(route), status: big.status, code: big.body.code }).toEqual({ route: routeKey(route), status: 413, code: 'payload_too_large' });
      const latin = await t.http().patch(f.path).set(bearer(f.token)).set('Content-Type', 'application/merge-patch+json; charset=latin1').send('{}');
      expect({ route: routeKey(route), status: latin.status }).toEqual({ route: routeKey(route), status: 415 });
    }
    const others = routes.filter((r) => r.method === 'POST' || r.method === 'PUT');
    expect(others.length).toBeGreaterThan(10);
    for (const r of others) {
      const res = await t.http()[r.method.toLowerCase() as 'post'](concrete(r.path)).set('Content-Type', 'application/merge-patch+json').send('{}');
      expect({ route: routeKey(r), status: res.status, code: res.body.code }).toEqual({ route: routeKey(r), status: 415, code: 'unsupported_media_type' });
    }
  });
});

function versionedRoute(t: TestApp, r: RouteInfo): boolean {
  const discovery = t.app.get(DiscoveryService);
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (instance && r.name.startsWith(`${wrapper.name}.`)) {
      const handler = instance[r.name.slice(wrapper.name.length + 1)] as object;
      if (Reflect.getMetadata(VERSIONED_METADATA, handler)) return true;
    }
  }
  return false;
}

describe('a stable code on every framework, parser and HTTP-level problem; Retry-After on every 429 and 503', () => {
  let t: TestApp;
  let admin: string;
  let port: number;
  /** The documented codes (problem.ts and the modules' error enums) a framework-level answer may carry. */
  const DOCUMENTED = new Set<string>([...Object.values(CommonError), ...Object.values(AuthError)]);
  const LOCK_TIMEOUT_MS = 300;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { AUTH_RATE_LIMIT_PER_MINUTE: '5', LOGIN_MAX_FAILURES: '2', DB_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS) } });
    admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  /** Raw bytes: a header block over Node's limit is refused before any framework runs. */
  const raw = (request: string) =>
    new Promise<{ status: number; headers: Record<string, string>; body: string }>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.on('error', reject);
      socket.on('end', () => {
        const [head, ...rest] = Buffer.concat(chunks).toString('latin1').split('\r\n\r\n');
        const [statusLine, ...lines] = head.split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
      });
      socket.end(request);
    });

  const problemOf = (res: { status: number; headers: Record<string, string | string[] | undefined>; text?: string; body?: unknown }) => {
    const text = typeof res.body === 'string' ? res.body : (res.text ?? '');
    const body = JSON.parse(text || '{}') as { code?: string; status?: number; detail?: string };
    return { status: res.status, type: String(res.headers['content-type']).split(';')[0], bodyStatus: body.status, documented: DOCUMENTED.has(body.code ?? ''), code: body.code, detail: body.detail };
  };
  const expectCoded = (res: Parameters<typeof problemOf>[0], status: number, code?: string) => {
    const p = problemOf(res);
    expect(p).toEqual({ status, type: 'application/problem+json', bodyStatus: status, documented: true, code: code ?? expect.any(String), detail: p.detail });
    return p;
  };
  const namedRateHeaders = (headers: Record<string, unknown>) => Object.keys(headers).filter((h) => /^(retry-after-|x-ratelimit-)/i.test(h));

  it('answers 404, 405, 406, 413, 414, 415, 400 (bad JSON) and 431 with a documented code', async () => {
    expectCoded(await t.http().get('/api/v1/nothing-here'), 404, 'not_found');
    expectCoded(await t.http().delete('/api/v1/organisations').set(bearer(admin)), 405, 'method_not_allowed');
    expectCoded(await t.http().get(`/api/v1/tables/${SAMPLE_ID}/contact-card`).set('Accept', 'image/png'), 406, 'not_acceptable');
    expectCoded(await t.http().post('/api/v1/organisations').set(bearer(admin)).set('Content-Type', 'application/json').send(`{"name":"${'x'.repeat(1_100_000)}"}`), 413, 'payload_too_large');
    expectCoded(await t.http().get(`/api/v1/organisations/${'a'.repeat(5000)}`).set(bearer(admin)), 414, 'uri_too_long');
    expectCoded(await t.http().post('/api/v1/organisations').set(bearer(admin)).set('Content-Type', 'text/plain').send('x'), 415, 'unsupported_media_type');
    expectCoded(await t.http().post('/api/v1/organisations').set(bearer(admin)).set('Content-Type', 'application/xml').send('<x/>'), 415, 'unsupported_media_type');
    expectCoded(await t.http().post('/api/v1/organisations').set(bearer(admin)).set('Content-Type', 'application/json').send('{"name":'), 400, 'invalid_json');
    expectCoded(await raw(`GET /api/v1/organisations HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\nConnection: close\r\n\r\n`), 431, 'headers_too_large');
  });

  it('answers a throttled call as a 429 problem too_many_requests with Retry-After and no throttler-named headers', async () => {
    const refresh = () => t.http().post('/api/v1/auth/refresh').send({ refreshToken: 'not-a-token' });
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await refresh());
    expect(answers.slice(0, 5).filter((r) => r.status === 429)).toEqual([]);
    for (const res of answers) expect(namedRateHeaders(res.headers)).toEqual([]);
    const throttled = answers[6];
    const p = expectCoded(throttled, 429, 'too_many_requests');
    expect(p.detail).not.toMatch(/ThrottlerException/);
    expect(p.detail).toMatch(/try again/i);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('answers the login limiter with a 429 problem, Retry-After and no throttler-named headers', async () => {
    const email = 'om@demo.ketentafel.nl';
    for (let i = 0; i < 2; i++) await t.http().post('/api/v1/auth/login').send({ email, password: `nope-${i}` }).expect(401);
    const res = await t.http().post('/api/v1/auth/login').send({ email, password: 'also-wrong' });
    expectCoded(res, 429, 'too_many_failed_logins');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(namedRateHeaders(res.headers)).toEqual([]);
  });

  it('answers not ready (Redis unreachable) with a 503 problem and Retry-After', async () => {
    const app = await startAppOn(t.db, { REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await request(app.getHttpServer()).get('/health/ready');
      expectCoded(res, 503, 'not_ready');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('answers a database that cannot serve in time with a 503 problem, a documented code and Retry-After', async () => {
    const owner = await ownerClient(t.db);
    try {
      await owner.query('BEGIN');
      await owner.query('LOCK TABLE organisation IN ACCESS EXCLUSIVE MODE');
      const res = await t.http().get('/api/v1/organisations').set(bearer(admin));
      expectCoded(res, 503, 'lock_timeout');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await owner.query('ROLLBACK');
      await owner.end();
    }
  });
});
