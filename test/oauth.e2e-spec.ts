import { ApiScope } from '../src/auth/permissions';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

describe('partner systems (OAuth2 client credentials)', () => {
  let t: TestApp;
  let admin: string;
  let policeId: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '40' } });
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

  describe('errors as RFC 6749 section 5.2 says, with the problem members too', () => {
    const token = () => t.http().post('/api/v1/oauth/token').type('form');

    /** The RFC's members and headers, and the house's (code, API-Version, the problem members). */
    function expectTokenError(res: { status: number; body: Record<string, unknown>; headers: Record<string, string> }, status: number, error: string) {
      expect({ status: res.status, error: res.body.error, contentType: res.headers['content-type'] }).toEqual({ status, error, contentType: expect.stringMatching(/^application\/json/) });
      expect(res.body).toMatchObject({ error_description: expect.any(String), type: expect.stringMatching(/^https:/), title: expect.any(String), status, detail: expect.any(String), code: expect.any(String) });
      expect(res.body.error_description).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['api-version']).toMatch(/^\d+\.\d+\.\d+$/);
      return res.body;
    }

    it('a wrong secret over HTTP Basic: 401 invalid_client, application/json, WWW-Authenticate Basic (not Bearer)', async () => {
      const c = await newClient(['actions:read']);
      const res = await token().auth(c.clientId, 'wrong-secret').send({ grant_type: 'client_credentials' });
      expectTokenError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="ketentafel"/);
      const malformed = await token().set('Authorization', 'Basic !!!').send({ grant_type: 'client_credentials' });
      expectTokenError(malformed, 401, 'invalid_client');
      expect(malformed.headers['www-authenticate']).toMatch(/^Basic realm="ketentafel"/);
    });

    it('a wrong secret in the body, and no credentials at all: 401 invalid_client with the same Basic challenge', async () => {
      const c = await newClient(['actions:read']);
      for (const body of [{ client_id: c.clientId, client_secret: 'wrong' }, {}, { client_id: c.clientId }]) {
        const res = await token().send({ grant_type: 'client_credentials', ...body });
        expectTokenError(res, 401, 'invalid_client');
        expect(res.headers['www-authenticate']).toMatch(/^Basic realm="ketentafel"/);
      }
    });

    it('serves the same error as application/problem+json when Accept prefers it', async () => {
      const res = await token().auth('kt_unknown', 'x').set('Accept', 'application/problem+json').send({ grant_type: 'client_credentials' }).expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ error: 'invalid_client', status: 401, code: 'invalid_client' });
    });

    it('a missing or unsupported grant_type, a repeated parameter, two authentication methods: 400 with the RFC error naming the parameter', async () => {
      const c = await newClient(['actions:read']);
      expect(expectTokenError(await token().auth(c.clientId, c.clientSecret).send({}), 400, 'invalid_request').error_description).toMatch(/grant_type/);
      expect(expectTokenError(await token().auth(c.clientId, c.clientSecret).send('grant_type=client_credentials&grant_type=password'), 400, 'invalid_request').error_description).toMatch(/grant_type is repeated/);
      expectTokenError(await token().auth(c.clientId, c.clientSecret).send({ grant_type: 'password' }), 400, 'unsupported_grant_type');
      expectTokenError(await token().auth(c.clientId, c.clientSecret).send({ grant_type: 'authorization_code', code: 'x' }), 400, 'unsupported_grant_type');
      const both = await token().auth(c.clientId, c.clientSecret).send({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret });
      expect(expectTokenError(both, 400, 'invalid_request').error_description).toMatch(/one client authentication method/);
      const json = await t.http().post('/api/v1/oauth/token').auth(c.clientId, c.clientSecret).send({ grant_type: 7 });
      expect(expectTokenError(json, 400, 'invalid_request').error_description).toMatch(/grant_type must be a string/);
    });

    it('an ungranted scope: 400 invalid_scope as application/json', async () => {
      const c = await newClient(['actions:read']);
      expectTokenError(await token().auth(c.clientId, c.clientSecret).send({ grant_type: 'client_credentials', scope: 'incidents:write' }), 400, 'invalid_scope');
    });

    it('ignores unknown parameters and treats empty ones as absent (RFC 6749 section 3.2)', async () => {
      const c = await newClient(['actions:read']);
      const res = await token().auth(c.clientId, c.clientSecret).send({ grant_type: 'client_credentials', resource: 'https://x.example', scope: '' }).expect(200);
      expect(res.body.scope).toBe('actions:read');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.pragma).toBe('no-cache');
    });
  });

  describe('authorization server metadata (RFC 8414)', () => {
    it('is served at the root, public and cacheable, with the token endpoint, its methods and every scope', async () => {
      const res = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
      const base = t.config.PUBLIC_BASE_URL;
      expect(res.body).toEqual({
        issuer: base,
        token_endpoint: `${base}/api/v1/oauth/token`,
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
        token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256'],
        grant_types_supported: ['client_credentials'],
        scopes_supported: Object.values(ApiScope),
        response_types_supported: [],
        service_documentation: `${base}/api/v1/docs`,
      });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toBe('public, max-age=3600');
      expect(res.headers['api-version']).toBeTruthy();
      await t.http().get('/api/v1/.well-known/oauth-authorization-server').expect(404);
      const wrongMethod = await t.http().post('/.well-known/oauth-authorization-server').expect(405);
      expect(wrongMethod.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(wrongMethod.headers['cache-control']).toBe('no-store');
    });
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
    for (let i = 0; i < 45; i++) {
      statuses.push((await t.http().post('/api/v1/oauth/token').auth('kt_unknown', 'x').type('form').send({ grant_type: 'client_credentials' })).status);
    }
    expect(statuses).toContain(429);
    expect(statuses.indexOf(429)).toBeGreaterThan(0);
  });
});
