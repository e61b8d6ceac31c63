import { routeTableOf } from '../src/common/http-hardening';
import { DiscoveryService } from '@nestjs/core';
import { VERSIONED_METADATA, VersionedTable } from '../src/common/etag';
import { collectRoutes, RouteInfo, routeKey } from './support/routes';
import { bearer, login, partnerToken, startTestApp, TestApp } from './support/test-app';

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
      if (hasGet) expect((await t.http().get(f.path).set(bearer(f.token)).expect(200)).headers.etag).toBe(etag1);

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
