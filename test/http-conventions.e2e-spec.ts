import { routeTableOf } from '../src/common/http-hardening';
import { collectRoutes, RouteInfo } from './support/routes';
import { startTestApp, TestApp } from './support/test-app';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';
const concrete = (path: string) => path.replace(/:(\w+)/g, SAMPLE_ID);

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
    // Nest's routes and those registered on Fastify directly (documentation, queue dashboard).
    const all = [...routes.map((r) => ({ method: r.method, path: r.path })), ...routeTableOf(t.app)!.list().map((r) => ({ method: r.method, path: r.url }))];
    for (const r of all.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !r.path.includes('*') && !r.path.startsWith('/admin/queues'))) byPath.set(r.path, (byPath.get(r.path) ?? new Set()).add(r.method));
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
