import { createHmac, generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { Clock } from '../src/common/clock';
import { OwnRedis } from './support/own-redis';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

/** private_key_jwt client authentication (RFC 7523 section 2.2), against real PostgreSQL and Redis. */

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const b64url = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

function rsaKeys() {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

interface Claims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  jti?: string;
}

async function policeId(t: TestApp): Promise<string> {
  const [org] = await t.dataSource.query(`SELECT id FROM organisation WHERE type = 'POLICE' ORDER BY name LIMIT 1`);
  return org.id;
}

function setup() {
  const ctx = {} as { t: TestApp; admin: string; police: string; endpoint: string };
  beforeAll(async () => {
    ctx.t = await startTestApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '1000' } });
    ctx.admin = (await login(ctx.t, 'admin@demo.ketentafel.nl')).accessToken;
    ctx.police = await policeId(ctx.t);
    ctx.endpoint = `${ctx.t.config.PUBLIC_BASE_URL}/api/v1/oauth/token`;
  });
  afterAll(() => ctx.t.close());
  return ctx;
}

describe('private_key_jwt client authentication', () => {
  const ctx = setup();
  const now = () => Math.floor(Date.now() / 1000);

  async function keyClient(registration: object, scopes = ['incidents:write']) {
    const res = await ctx.t.http().post('/api/v1/api-clients').set(bearer(ctx.admin)).send({ organisationId: ctx.police, name: `Key ${randomUUID()}`, scopes, ...registration });
    if (res.status !== 201) throw new Error(`registration answered ${res.status}: ${res.text}`);
    return res.body as { id: string; clientId: string; clientSecret?: string; tokenEndpointAuthMethod: string; jwks: { keys: Record<string, string>[] } };
  }

  const claims = (clientId: string, extra: Claims = {}): Claims => ({ iss: clientId, sub: clientId, aud: ctx.endpoint, exp: now() + 60, jti: randomUUID(), ...extra });
  const assertion = (key: KeyObject, c: Claims, options: { algorithm?: 'RS256' | 'PS256' | 'ES256'; keyid?: string } = {}) =>
    sign(JSON.parse(JSON.stringify(c)), key, { algorithm: options.algorithm ?? 'RS256', ...(options.keyid ? { keyid: options.keyid } : {}) });
  const tokenWith = (jwt: string, extra: Record<string, string> = {}) =>
    ctx.t.http().post('/api/v1/oauth/token').type('form').send({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: jwt, ...extra });

  function expectInvalidClient(res: { status: number; body: Record<string, unknown>; headers: Record<string, string> }) {
    expect({ status: res.status, error: res.body.error, code: res.body.code }).toEqual({ status: 401, error: 'invalid_client', code: 'invalid_client' });
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="ketentafel"/);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  }

  it('registers a JWKS (public members only, no secret), and the client obtains a token with a signed assertion and pushes an incident', async () => {
    const { publicKey, privateKey } = rsaKeys();
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bvh-2026', alg: 'RS256' };
    const c = await keyClient({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [jwk] } });
    expect(c.clientSecret).toBeUndefined();
    expect(c.tokenEndpointAuthMethod).toBe('private_key_jwt');
    expect(c.jwks.keys).toEqual([{ kty: 'RSA', n: jwk.n, e: jwk.e, kid: 'bvh-2026', alg: 'RS256', use: 'sig' }]);

    const res = await tokenWith(assertion(privateKey, claims(c.clientId), { keyid: 'bvh-2026' })).expect(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'incidents:write' });
    expect(res.headers['cache-control']).toBe('no-store');

    const [kase] = await ctx.t.dataSource.query(`SELECT reference FROM case_file WHERE status <> 'closed' ORDER BY reference LIMIT 1`);
    const pushed = await ctx.t
      .http()
      .post('/api/v1/incidents')
      .set(bearer(res.body.access_token))
      .send({ caseReference: kase.reference, kind: 'theft', severity: 'serious', occurredAt: new Date(Date.now() - 3_600_000).toISOString(), externalReference: `BVH-${randomUUID()}` });
    expect(pushed.status).toBe(201);
  });

  it('takes a PEM public key (ES256), an assertion without kid, and the issuer as audience', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const c = await keyClient({ publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }) });
    expect(c.tokenEndpointAuthMethod).toBe('private_key_jwt');
    expect(c.jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'sig', kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    await tokenWith(assertion(privateKey, claims(c.clientId, { aud: ctx.t.config.PUBLIC_BASE_URL }), { algorithm: 'ES256' }), { client_id: c.clientId }).expect(200);
  });

  describe('refuses, always as invalid_client', () => {
    const { publicKey, privateKey } = rsaKeys();
    let clientId: string;
    beforeAll(async () => {
      clientId = (await keyClient({ jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1' }] } })).clientId;
    });

    it.each<[string, () => string]>([
      ['an assertion signed with another key', () => assertion(rsaKeys().privateKey, claims(clientId), { keyid: 'k1' })],
      ['another key id', () => assertion(privateKey, claims(clientId), { keyid: 'k2' })],
      ['a wrong audience', () => assertion(privateKey, claims(clientId, { aud: 'https://elsewhere.example/oauth/token' }))],
      ['an expired assertion', () => assertion(privateKey, claims(clientId, { exp: now() - 120 }))],
      ['an assertion valid for more than 5 minutes', () => assertion(privateKey, claims(clientId, { exp: now() + 3600 }))],
      ['an assertion without exp', () => assertion(privateKey, { ...claims(clientId), exp: undefined })],
      ['an assertion without jti', () => assertion(privateKey, { ...claims(clientId), jti: undefined })],
      ['iss other than sub', () => assertion(privateKey, claims(clientId, { iss: 'someone-else' }))],
      ['alg none', () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims(clientId))}.`],
      [
        'HS256 with the public key as the HMAC secret',
        () => {
          const input = `${b64url({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${b64url(claims(clientId))}`;
          const secret = publicKey.export({ format: 'pem', type: 'spki' });
          return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
        },
      ],
      ['garbage', () => 'not.a.jwt'],
    ])('%s', async (_label, make) => {
      expectInvalidClient(await tokenWith(make()));
    });

    it('a replayed jti (the first use succeeds)', async () => {
      const jwt = assertion(privateKey, claims(clientId));
      await tokenWith(jwt).expect(200);
      expectInvalidClient(await tokenWith(jwt));
    });

    it('a client secret for a private_key_jwt client (it has none)', async () => {
      expectInvalidClient(await ctx.t.http().post('/api/v1/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'anything' }));
      expectInvalidClient(await ctx.t.http().post('/api/v1/oauth/token').auth(clientId, '').type('form').send({ grant_type: 'client_credentials' }));
    });

    it('an assertion from a client registered with a secret', async () => {
      const secretClient = (await ctx.t.http().post('/api/v1/api-clients').set(bearer(ctx.admin)).send({ organisationId: ctx.police, name: 'Secret client', scopes: ['actions:read'] }).expect(201)).body;
      expectInvalidClient(await tokenWith(assertion(privateKey, claims(secretClient.clientId))));
    });

    it('an assertion that is expired by the application clock, though not by the wall clock', async () => {
      const clock = ctx.t.app.get(Clock);
      const spy = jest.spyOn(clock, 'now').mockReturnValue(new Date(Date.now() + 3_600_000));
      try {
        expectInvalidClient(await tokenWith(assertion(privateKey, claims(clientId))));
      } finally {
        spy.mockRestore();
      }
      await tokenWith(assertion(privateKey, claims(clientId))).expect(200);
    });

    it('an assertion together with HTTP Basic is invalid_request (one method per request)', async () => {
      const res = await tokenWith(assertion(privateKey, claims(clientId))).auth(clientId, 'x');
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });
  });

  describe('registration', () => {
    const create = (body: object) => ctx.t.http().post('/api/v1/api-clients').set(bearer(ctx.admin)).send({ organisationId: ctx.police, name: 'Refused', scopes: ['actions:read'], ...body });

    it.each<[string, () => object, string]>([
      ['a private JWK', () => ({ jwks: { keys: [rsaKeys().privateKey.export({ format: 'jwk' })] } }), 'jwks.keys.0.d'],
      ['a private PEM', () => ({ publicKeyPem: rsaKeys().privateKey.export({ format: 'pem', type: 'pkcs8' }) }), 'publicKeyPem'],
      ['an RSA key under 2048 bits', () => ({ jwks: { keys: [generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })] } }), 'jwks.keys.0'],
      ['an EC key on another curve', () => ({ jwks: { keys: [generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' })] } }), 'jwks.keys.0.crv'],
      ['a symmetric key', () => ({ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }), 'jwks.keys.0.kty'],
      ['private_key_jwt without keys', () => ({ tokenEndpointAuthMethod: 'private_key_jwt' }), 'jwks'],
      ['keys for a secret client', () => ({ tokenEndpointAuthMethod: 'client_secret_basic', jwks: { keys: [rsaKeys().publicKey.export({ format: 'jwk' })] } }), 'jwks'],
    ])('refuses %s with a 400 naming the field', async (_label, body, field) => {
      const res = await create(body());
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.invalidParams.map((p: { name: string }) => p.name)).toContain(field);
      // Refused for what it is, not merely as a field the API does not know.
      expect(res.body.invalidParams.find((p: { name: string }) => p.name === field).reason).not.toBe('is not a known field');
      expect(res.text).not.toMatch(/"d":"/);
    });

    it('switches a secret client to keys (its secret stops working) and back (a new secret, shown once)', async () => {
      const secretClient = (await create({ name: 'Switching' }).expect(201)).body;
      const form = (secret: string) => ctx.t.http().post('/api/v1/oauth/token').auth(secretClient.clientId, secret).type('form').send({ grant_type: 'client_credentials' });
      const old = (await form(secretClient.clientSecret).expect(200)).body.access_token;
      const { publicKey, privateKey } = rsaKeys();
      const toKeys = await ctx.t.http().patch(`/api/v1/api-clients/${secretClient.id}`).set(bearer(ctx.admin)).send({ jwks: { keys: [publicKey.export({ format: 'jwk' })] } }).expect(200);
      expect(toKeys.body).toMatchObject({ tokenEndpointAuthMethod: 'private_key_jwt' });
      expect(toKeys.body.clientSecret).toBeUndefined();
      expectInvalidClient(await form(secretClient.clientSecret));
      await ctx.t.http().get('/api/v1/organisations').set(bearer(old)).expect(401);
      await tokenWith(assertion(privateKey, claims(secretClient.clientId))).expect(200);
      await ctx.t.http().post(`/api/v1/api-clients/${secretClient.id}/_rotate`).set(bearer(ctx.admin)).expect(409);

      const back = await ctx.t.http().patch(`/api/v1/api-clients/${secretClient.id}`).set(bearer(ctx.admin)).send({ tokenEndpointAuthMethod: 'client_secret_post' }).expect(200);
      expect(back.body).toMatchObject({ tokenEndpointAuthMethod: 'client_secret_post', jwks: null, clientSecret: expect.any(String) });
      await form(back.body.clientSecret).expect(200);
      expectInvalidClient(await tokenWith(assertion(privateKey, claims(secretClient.clientId))));
    });
  });
});

describe('private_key_jwt while Redis is down (a Redis server of the test\'s own)', () => {
  let redis: OwnRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await OwnRedis.start();
    t = await startTestApp({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    try {
      await redis.start();
      await t.close();
    } finally {
      await redis.stop();
    }
  });

  it('answers 503 with Retry-After, quickly, and never accepts the assertion (a replay check it cannot make)', async () => {
    const admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
    const { publicKey, privateKey } = rsaKeys();
    const c = (await t.http().post('/api/v1/api-clients').set(bearer(admin)).send({ organisationId: await policeId(t), name: 'Key', scopes: ['actions:read'], jwks: { keys: [publicKey.export({ format: 'jwk' })] } }).expect(201)).body;
    const aud = `${t.config.PUBLIC_BASE_URL}/api/v1/oauth/token`;
    const jwt = () => sign({ iss: c.clientId, sub: c.clientId, aud, jti: randomUUID() }, privateKey, { algorithm: 'PS256', expiresIn: 60 });
    const send = (a: string) => t.http().post('/api/v1/oauth/token').type('form').send({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: a });
    await send(jwt()).expect(200);

    await redis.stop();
    const started = Date.now();
    const res = await send(jwt());
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ status: 503, code: 'assertion_replay_unchecked' });
    expect(res.body.access_token).toBeUndefined();
  });
});
