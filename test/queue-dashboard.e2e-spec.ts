import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { JWT_ALGORITHM } from '../src/auth/token.service';
import { DashboardRoute, queueDashboardRoutes } from '../src/health/queue-dashboard';
import { QUEUE_DASHBOARD_COOKIE, QueueDashboardSessions } from '../src/health/queue-dashboard-session';
import { QUEUES } from '../src/jobs/queues';
import { givenOrganisation, givenTable, givenTableUser, givenUser } from './support/factories';
import { bearer, login, startAppOn, startTestApp, TestApp } from './support/test-app';

/**
 * The queue dashboard (bull-board at /admin/queues) is served by Fastify directly, outside Nest's routes, so
 * the route walks that read Nest's metadata (routes, authorization matrix, fuzz, disclosure) do not reach it.
 * This test walks every route it registered instead: without a valid dashboard session, each answers 401 as a
 * problem with the API's headers, whatever else the caller holds.
 */

const SESSION = '/api/v1/admin/queue-dashboard/_session';
/** The API's own origin (PUBLIC_BASE_URL of the test configuration), as a browser on the dashboard sends it. */
const SELF = 'http://localhost:3000';

/** A concrete path for a route pattern: a real queue, ids that do not exist. */
const pathOf = (r: DashboardRoute) =>
  r.url
    .replace(':queueName', 'maintenance')
    .replace(':queueStatus', 'failed')
    .replace(':jobId', 'no-such-job')
    .replace(':schedulerId', 'no-such-scheduler')
    .replace('*', 'js/no-such-file.js');

const cookieOf = (setCookie: string | string[] | undefined) => String([setCookie].flat()[0]).split(';')[0];

async function call(app: NestFastifyApplication | TestApp, r: { method: string; path: string }, headers: Record<string, string> = {}) {
  const server = 'http' in app ? app.app.getHttpServer() : app.getHttpServer();
  let req = request(server)[r.method.toLowerCase() as 'get'](r.path);
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  return r.method === 'GET' ? req : req.send({});
}

function expectApiHeaders(res: request.Response, what: string): void {
  expect({ what, apiVersion: res.headers['api-version'], nosniff: res.headers['x-content-type-options'], frame: res.headers['x-frame-options'], csp: res.headers['content-security-policy'] }).toEqual({
    what,
    apiVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/),
    nosniff: 'nosniff',
    frame: 'DENY',
    csp: expect.stringContaining("frame-ancestors 'none'"),
  });
}

describe('queue dashboard', () => {
  let t: TestApp;
  let routes: DashboardRoute[];
  let admin: { id: string; email: string };
  let adminToken: string;
  let cookie: string;

  beforeAll(async () => {
    t = await startTestApp({ seed: false, role: 'api' });
    routes = queueDashboardRoutes(t.app);
    admin = await givenUser(t.dataSource, await givenOrganisation(t.dataSource, 'ADMINISTRATION'), ['admin']);
    adminToken = (await login(t, admin.email)).accessToken;
    const res = await t.http().post(SESSION).set(bearer(adminToken)).expect(200);
    cookie = cookieOf(res.headers['set-cookie']);
  });
  afterAll(() => t.close());

  it('opens a session for administrators only, as a path-scoped HttpOnly SameSite=Strict cookie expiring with the access token', async () => {
    const res = await t.http().post(SESSION).set(bearer(adminToken)).expect(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${QUEUE_DASHBOARD_COOKIE}=[\\w-]+\\.[\\w-]+\\.[\\w-]+; `));
    expect(setCookie).toContain('; Path=/admin/queues;');
    expect(setCookie).toContain('; HttpOnly');
    expect(setCookie).toContain('; SameSite=Strict');
    // Not in tests (http, not production); in production it is Secure.
    expect(setCookie).not.toContain('Secure');
    const accessExp = (new JwtService().decode(adminToken) as { exp: number }).exp;
    expect(res.body).toEqual({ url: '/admin/queues', expiresAt: new Date(accessExp * 1000).toISOString() });
    expect(setCookie).toContain(`Expires=${new Date(accessExp * 1000).toUTCString()}`);

    const table = await givenTable(t.dataSource);
    const chair = (await login(t, (await givenTableUser(t.dataSource, table, 'COA', 'chair')).email)).accessToken;
    const refused = await t.http().post(SESSION).set(bearer(chair)).expect(403);
    expect(refused.headers['set-cookie']).toBeUndefined();
    expect(refused.body.code).toBe('permission_denied');
    await t.http().post(SESSION).expect(401);
  });

  it('serves the page, its assets and every queue of QUEUES to the session', async () => {
    const page = await t.http().get('/admin/queues').set('Cookie', cookie).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<base href="/admin/queues/" />');
    expectApiHeaders(page, 'page');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const script = /src="(static\/js\/main\.[\w.]+\.js)"/.exec(page.text)![1];
    await t.http().get(`/admin/queues/${script}`).set('Cookie', cookie).expect(200);

    const api = await t.http().get('/admin/queues/api/queues').set('Cookie', cookie).expect(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual([...QUEUES].sort());
  });

  it('registers routes only under /admin/queues, the page, its API and its assets', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((r) => !r.url.startsWith('/admin/queues')).map((r) => r.url)).toEqual([]);
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining(['GET /admin/queues', 'GET /admin/queues/api/queues', 'GET /admin/queues/static/*']));
  });

  it('refuses every route with 401 problem+json without a valid session: no cookie, a bearer token, forged, expired or revoked cookies', async () => {
    const sessions = t.app.get(QueueDashboardSessions);
    const jwt = new JwtService();
    const other = await givenUser(t.dataSource, await givenOrganisation(t.dataSource, 'ADMINISTRATION'), ['admin']);
    const otherToken = (await login(t, other.email)).accessToken;
    const otherCookie = cookieOf((await t.http().post(SESSION).set(bearer(otherToken)).expect(200)).headers['set-cookie']);
    // Signed with the access tokens' key (not the dashboard's), with the dashboard's claims and audience.
    const claims = jwt.decode(otherCookie.split('=')[1]) as Record<string, unknown>;
    const forged = jwt.sign(claims, { algorithm: JWT_ALGORITHM, secret: t.config.JWT_SECRET });
    const principal = { kind: 'user' as const, id: admin.id, organisationId: '', organisationType: 'ADMINISTRATION' as const, roles: claims.roles as never, scopes: [], sessionId: String(claims.sid) };
    const expired = (await sessions.open(principal, Math.floor(Date.now() / 1000) - 60)).setCookie.split(';')[0];
    // Logging out ends the session, and with it the dashboard's.
    await t.http().post('/api/v1/auth/logout').set(bearer(otherToken)).expect(204);

    const callers: Record<string, Record<string, string>> = {
      anonymous: {},
      'bearer token only': bearer(adminToken),
      'an access token as cookie': { Cookie: `${QUEUE_DASHBOARD_COOKIE}=${adminToken}` },
      'forged cookie': { Cookie: `${QUEUE_DASHBOARD_COOKIE}=${forged}` },
      'expired cookie': { Cookie: expired },
      'revoked session': { Cookie: otherCookie },
      'cookie of another name': { Cookie: `x${cookie}` },
    };
    const wrong: string[] = [];
    for (const r of routes) {
      for (const [caller, headers] of Object.entries(callers)) {
        const res = await call(t, { method: r.method, path: pathOf(r) }, { Origin: SELF, ...headers });
        if (res.status !== 401 || !/^application\/problem\+json/.test(res.headers['content-type']) || res.body.code !== 'queue_dashboard_session_required') {
          wrong.push(`${r.method} ${r.url} as ${caller}: ${res.status} ${res.text.slice(0, 120)}`);
        }
        expectApiHeaders(res, `${r.method} ${r.url} as ${caller}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers every route below 500 to the session, errors as problems, and changes only from its own origin', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      const res = await call(t, { method: r.method, path: pathOf(r) }, { Cookie: cookie, Origin: SELF });
      expectApiHeaders(res, `${r.method} ${r.url}`);
      if (res.status >= 500 || res.status === 403 || (res.status >= 400 && !/^application\/problem\+json/.test(res.headers['content-type']))) {
        wrong.push(`${r.method} ${r.url}: ${res.status} ${res.headers['content-type']} ${res.text.slice(0, 160)}`);
      }
    }
    expect(wrong).toEqual([]);

    // The application's refusals of a body keep their problem codes here too.
    const malformed = await t.http().put('/admin/queues/api/queues/maintenance/concurrency').set({ Cookie: cookie, Origin: SELF, 'Content-Type': 'application/json' }).send('{"concurrency":');
    expect({ status: malformed.status, code: malformed.body.code, type: malformed.headers['content-type'] }).toEqual({ status: 400, code: 'invalid_json', type: expect.stringMatching(/^application\/problem\+json/) });
    const deep = await t.http().put('/admin/queues/api/queues/maintenance/concurrency').set({ Cookie: cookie, Origin: SELF, 'Content-Type': 'application/json' }).send('['.repeat(40) + ']'.repeat(40));
    expect({ status: deep.status, code: deep.body.code }).toEqual({ status: 400, code: 'json_too_deep' });

    for (const origin of [undefined, 'https://evil.example', 'http://localhost:3000.evil.example', 'null']) {
      const res = await call(t, { method: 'PUT', path: '/admin/queues/api/queues/pause' }, { Cookie: cookie, ...(origin ? { Origin: origin } : {}) });
      expect({ origin, status: res.status, code: res.body.code }).toEqual({ origin, status: 403, code: 'cross_origin_refused' });
    }
    expect((await call(t, { method: 'PUT', path: '/admin/queues/api/queues/resume' }, { Cookie: cookie, Origin: SELF })).status).toBeLessThan(300);
  });

  it('ends the session when the administrator loses the role', async () => {
    const user = await givenUser(t.dataSource, await givenOrganisation(t.dataSource, 'ADMINISTRATION'), ['admin']);
    const token = (await login(t, user.email)).accessToken;
    const own = cookieOf((await t.http().post(SESSION).set(bearer(token)).expect(200)).headers['set-cookie']);
    await t.http().get('/admin/queues/api/queues').set('Cookie', own).expect(200);
    await t.http().patch(`/api/v1/users/${user.id}`).set(bearer(adminToken)).send({ globalRoles: [] }).expect(200);
    const res = await t.http().get('/admin/queues/api/queues').set('Cookie', own).expect(401);
    expect(res.body.code).toBe('queue_dashboard_session_required');
  });

  it('answers unknown paths below the dashboard with the API\'s 404 problem, without echoing them', async () => {
    for (const path of ['/admin/queues/no-such-page', '/admin/queues/api/no-such-call', '/admin/queue']) {
      const res = await t.http().get(path).set('Cookie', cookie).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 404, code: 'not_found' });
      expect(res.body.instance).toBeUndefined();
      expectApiHeaders(res, path);
    }
    const asset = await t.http().get('/admin/queues/static/js/no-such-file.js').set('Cookie', cookie).expect(404);
    expect(asset.body.code).toBe('not_found');
  });

  it('does not hang when Redis is down: the page loads, its calls answer 503 at once', async () => {
    const down = await startAppOn(t.db, { REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const open = await request(down.getHttpServer()).post(SESSION).set(bearer(adminToken)).expect(200);
      const own = cookieOf(open.headers['set-cookie']);
      await request(down.getHttpServer()).get('/admin/queues').set('Cookie', own).expect(200);
      const started = Date.now();
      const res = await request(down.getHttpServer()).get('/admin/queues/api/queues').set('Cookie', own).expect(503);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toMatchObject({ status: 503, code: 'queues_unavailable' });
    } finally {
      await down.close();
    }
  });
});
