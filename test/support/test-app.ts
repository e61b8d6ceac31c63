import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../../src/app.factory';
import { Clock } from '../../src/common/clock';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { DEMO_PASSWORD, seedDemo } from '../../src/db/demo-seed';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  db: TestDatabase;
  dataSource: DataSource;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/** Boots the whole application in-process against a fresh database and its own Redis key prefix. */
export async function startTestApp(options: { env?: Record<string, string>; seed?: boolean; role?: 'api' | 'all' } = {}): Promise<TestApp> {
  const db = await createTestDatabase(options.env);
  const config = db.config;
  // `api` runs no workers, so that every database change during a request is the request's own.
  const app = await createHttpApp(config, options.role ?? 'all');
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const dataSource = app.get(DataSource);
  if (options.seed !== false) await seedDemo(dataSource, app.get(Clock).now());
  return {
    app,
    config,
    db,
    dataSource,
    http: () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
      await clearRedisPrefix(config);
      await db.drop();
    },
  };
}

/** Boots a second app on an existing test database with other settings (e.g. an unreachable Redis). */
export async function startAppOn(db: TestDatabase, env: Record<string, string>): Promise<NestFastifyApplication> {
  const config = loadConfig({
    ...Object.fromEntries(Object.entries(db.config).filter(([, v]) => v !== undefined && typeof v !== 'object' && typeof v !== 'function').map(([k, v]) => [k, String(v)])),
    ...env,
  });
  const app = await createHttpApp(config, 'api');
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** Deletes every key of the configuration's Redis prefix (a test's own). */
export async function clearRedisPrefix(config: AppConfig): Promise<void> {
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.REDIS_PREFIX}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function login(t: TestApp, email: string, password = DEMO_PASSWORD) {
  const res = await t.http().post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login of ${email} failed with ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as { accessToken: string; refreshToken: string };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Registers a partner system for `organisationId` (as the admin `adminToken`) and returns its client-credentials token. */
export async function partnerToken(t: TestApp, adminToken: string, organisationId: string, scopes: string[]): Promise<string> {
  const client = await t.http()
    .post('/api/v1/api-clients')
    .set(bearer(adminToken))
    .send({ organisationId, name: `Partner ${scopes.join(',')} ${Math.random()}`, scopes })
    .expect(201);
  const res = await t.http()
    .post('/api/v1/oauth/token')
    .auth(client.body.clientId, client.body.clientSecret)
    .type('form')
    .send({ grant_type: 'client_credentials' })
    .expect(200);
  return res.body.access_token as string;
}
