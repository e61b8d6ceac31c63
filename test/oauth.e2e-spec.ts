import { bearer, login, startTestApp, TestApp } from './support/test-app';

describe('partner systems (OAuth2 client credentials)', () => {
  let t: TestApp;
  let admin: string;
  let policeId: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '8' } });
    admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
    const orgs = (await t.http().get('/api/v1/organisations?limit=100').set(bearer(admin)).expect(200)).body.items;
    policeId = orgs.find((o: { type: string }) => o.type === 'POLICE').id;
  });
  afterAll(() => t.close());

  async function newClient(scopes: string[]) {
    const res = await t.http().post('/api/v1/api-clients').set(bearer(admin)).send({ organisationId: policeId, name: `BVH ${scopes.join(',')}`, scopes }).expect(201);
    expect(res.body.clientSecret).toBeTruthy();
    return res.body as { id: string; clientId: string; clientSecret: string };
  }

  it('shows the secret once and never again', async () => {
    const c = await newClient(['incidents:write']);
    const again = await t.http().get(`/api/v1/api-clients/${c.id}`).set(bearer(admin)).expect(200);
    expect(again.body.clientSecret).toBeUndefined();
    expect(JSON.stringify(again.body)).not.toContain(c.clientSecret);
  });

  it('issues a token with HTTP Basic or form credentials, carrying the granted scopes', async () => {
    const c = await newClient(['incidents:write', 'actions:read']);
    const basic = await t.http().post('/api/v1/oauth/token').auth(c.clientId, c.clientSecret).type('form').send({ grant_type: 'client_credentials' }).expect(200);
    expect(basic.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'incidents:write actions:read' });
    const form = await t.http()
      .post('/api/v1/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope: 'actions:read' })
      .expect(200);
    expect(form.body.scope).toBe('actions:read');
    const me = await t.http().get('/api/v1/organisations').set(bearer(form.body.access_token)).expect(200);
    expect(me.body.items.length).toBeGreaterThan(0);
  });

  it('refuses a wrong secret (401 invalid_client) and an ungranted scope (400 invalid_scope)', async () => {
    const c = await newClient(['actions:read']);
    const wrong = await t.http().post('/api/v1/oauth/token').auth(c.clientId, 'wrong-secret').type('form').send({ grant_type: 'client_credentials' }).expect(401);
    expect(wrong.body).toMatchObject({ error: 'invalid_client', status: 401 });
    const scope = await t.http().post('/api/v1/oauth/token').auth(c.clientId, c.clientSecret).type('form').send({ grant_type: 'client_credentials', scope: 'incidents:write' }).expect(400);
    expect(scope.body.error).toBe('invalid_scope');
  });

  it('gives 403 when the token lacks the permission the route needs', async () => {
    const c = await newClient(['actions:read']);
    const token = (await t.http().post('/api/v1/oauth/token').auth(c.clientId, c.clientSecret).type('form').send({ grant_type: 'client_credentials' }).expect(200)).body.access_token;
    const res = await t.http().get('/api/v1/users').set(bearer(token)).expect(403);
    expect(res.body).toMatchObject({ code: 'permission_denied', status: 403 });
  });

  it('disabling a client makes its tokens fail at once', async () => {
    const c = await newClient(['actions:read']);
    const token = (await t.http().post('/api/v1/oauth/token').auth(c.clientId, c.clientSecret).type('form').send({ grant_type: 'client_credentials' }).expect(200)).body.access_token;
    await t.http().get('/api/v1/organisations').set(bearer(token)).expect(200);
    await t.http().patch(`/api/v1/api-clients/${c.id}`).set(bearer(admin)).send({ disabled: true }).expect(200);
    await t.http().get('/api/v1/organisations').set(bearer(token)).expect(401);
    await t.http().post('/api/v1/oauth/token').auth(c.clientId, c.clientSecret).type('form').send({ grant_type: 'client_credentials' }).expect(401);
  });

  it('rate-limits the token endpoint per client IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await t.http().post('/api/v1/oauth/token').auth('kt_unknown', 'x').type('form').send({ grant_type: 'client_credentials' })).status);
    }
    expect(statuses).toContain(429);
    expect(statuses.indexOf(429)).toBeGreaterThan(0);
  });
});
