import { routeTableOf } from '../src/common/http-hardening';
import { queueDashboardRoutes } from '../src/health/queue-dashboard';
import { collectRoutes, RouteInfo, routeKey } from './support/routes';
import { startTestApp, TestApp } from './support/test-app';

describe('every route states who may call it', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    routes = collectRoutes(t);
  });
  afterAll(() => t.close());

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(15);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toContain('POST /api/v1/auth/login');
  });

  it('has no route that states neither @Public() nor @Authenticated({ permission })', () => {
    const silent = routes.filter((r) => !r.auth || (!r.auth.public && !r.auth.permission)).map((r) => r.name);
    expect(silent).toEqual([]);
  });

  it('answers 401 problem to an anonymous call of every non-public route', async () => {
    const closed = routes.filter((r) => r.auth && !r.auth.public);
    expect(closed.length).toBeGreaterThan(5);
    for (const r of closed) {
      const path = r.path.replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000');
      const res = await t.http()[r.method.toLowerCase() as 'get'](path).send();
      expect({ route: `${r.method} ${r.path}`, status: res.status }).toEqual({ route: `${r.method} ${r.path}`, status: 401 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('lists every route in the OpenAPI document, which parses and follows the API Design Rules', async () => {
    const res = await t.http().get('/api/v1/openapi.json').set('Origin', 'https://elsewhere.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const doc = JSON.parse(res.text);
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(doc.info.contact.email).toBeTruthy();
    expect(doc.servers[0].url).toMatch(/\/api\/v1$/);
    const documented = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    // Not in the API document, whose server is /api/v1: the metrics scrape, and the OAuth2 server metadata at its RFC 8414 well-known path.
    const missing = routes
      .filter((r) => r.path !== '/metrics' && r.path !== '/.well-known/oauth-authorization-server')
      .map((r) => `${r.method} ${r.path.replace(/^\/api\/v1/, '')}`)
      .filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
    const idParams = Object.values(doc.paths as Record<string, Record<string, { parameters?: { in: string; name: string; schema: { format?: string } }[] }>>)
      .flatMap((ops) => Object.values(ops).flatMap((op) => op.parameters ?? []))
      .filter((p) => p.in === 'path' && /^(id|\w+Id)$/.test(p.name));
    expect(idParams.length).toBeGreaterThan(20);
    expect(idParams.filter((p) => p.schema.format !== 'uuid').map((p) => p.name)).toEqual([]);
    for (const p of Object.keys(doc.paths)) {
      expect(p).not.toMatch(/\/$/);
      for (const segment of p.split('/').filter((s) => s && !s.startsWith('{'))) {
        expect(segment).toMatch(/^_?[a-z0-9]+(-[a-z0-9]+)*$/);
      }
    }
  });

  it("serves nothing outside Nest's routes but the API documentation and the queue dashboard (walked by test/queue-dashboard.e2e-spec.ts)", () => {
    const walked = new Set([...routes, ...queueDashboardRoutes(t.app).map((r) => ({ method: r.method, path: r.url }))].map(routeKey));
    const served = routeTableOf(t.app)!
      .list()
      .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
      .map((r) => routeKey({ method: r.method, path: r.url }));
    // The documentation is public and static (the OpenAPI document and Swagger UI's files, checked below).
    const documentation = (k: string) => k === 'GET /api/v1/openapi.json' || /^GET \/api\/v1\/docs(\/|$)/.test(k);
    expect([...new Set(served.filter((k) => !walked.has(k) && !documentation(k)))].sort()).toEqual([]);
    expect(served).toContain('GET /admin/queues');
  });

  it('serves the interactive documentation page', async () => {
    const res = await t.http().get('/api/v1/docs').redirects(1);
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger');
  });
});
