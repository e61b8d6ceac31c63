import { startAppOn, startTestApp, TestApp } from './support/test-app';
import { TEST_METRICS_TOKEN } from './support/test-database';
import request from 'supertest';

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ seed: false, env: { CORS_ORIGINS: 'https://client.ketentafel.example' } });
  });
  afterAll(() => t.close());

  it('is live and ready with PostgreSQL and Redis up', async () => {
    await t.http().get('/health/live').expect(200, { status: 'ok' });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.info.database.status).toBe('up');
    expect(ready.body.info.redis).toMatchObject({ status: 'up', maxmemoryPolicy: 'noeviction' });
  });

  it('turns not ready, as a problem, when Redis is unreachable', async () => {
    const app = await startAppOn(t.db, { REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      await request(app.getHttpServer()).get('/health/live').expect(200);
      const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, code: 'not_ready', detail: 'Not ready: redis is down.' });
      expect(res.body.checks.database.status).toBe('up');
    } finally {
      await app.close();
    }
  });

  it('answers a trailing slash and an unknown route with a problem 404', async () => {
    for (const path of ['/health/ready/', '/api/v1/no-such-thing']) {
      const res = await t.http().get(path).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 404, title: 'Not Found', code: 'not_found' });
      // A path that matched no route is whatever the client sent: it is not echoed back as `instance`.
      expect(res.body.instance).toBeUndefined();
    }
  });

  it('sets API-Version and the security headers on every response', async () => {
    const res = await t.http().get('/api/v1/organisations').expect(401);
    expect(res.headers['api-version']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(res.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('echoes a well-formed X-Request-Id as the trace id', async () => {
    const res = await t.http().get('/health/live').set('X-Request-Id', 'trace-abcdef123').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-abcdef123');
  });

  it('exposes Prometheus metrics with route latency and queue depth', async () => {
    await t.http().get('/health/live');
    await t.http().get('/metrics').expect(401);
    const res = await t.http().get('/metrics').set('Authorization', `Bearer ${TEST_METRICS_TOKEN}`).expect(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/route="\/health\/live"/);
    expect(res.text).toMatch(/queue_jobs\{queue="maintenance",state="waiting"\}/);
  });

  it('allows CORS only from the configured origins, and the OpenAPI document from anywhere', async () => {
    const allowed = await t.http()
      .options('/api/v1/organisations')
      .set('Origin', 'https://client.ketentafel.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://client.ketentafel.example');
    const refused = await t.http()
      .options('/api/v1/organisations')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const spec = await t.http().get('/api/v1/openapi.json').set('Origin', 'https://evil.example').expect(200);
    expect(spec.headers['access-control-allow-origin']).toBe('*');
  });
});
