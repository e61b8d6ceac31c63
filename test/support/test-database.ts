import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { ensureAppLoginRole, runMigrations, withDatabase } from '../../src/db/bootstrap';

/** The server the tests use; the owner role must be able to create databases (the machine's postgres). */
const OWNER_URL = process.env.TEST_DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const APP_ROLE = 'ketentafel_app';

export interface TestDatabase {
  name: string;
  config: AppConfig;
  drop(): Promise<void>;
}

/** The bearer token of `GET /metrics` in tests (METRICS_TOKEN). */
export const TEST_METRICS_TOKEN = 'test-only-metrics-token-0123456789abcdef';

/** A fresh database for one test file: created, migrated, and dropped again by `drop()`. */
export async function createTestDatabase(env: Record<string, string> = {}): Promise<TestDatabase> {
  const name = `kt_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: OWNER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: withDatabase(OWNER_URL, name, APP_ROLE),
    MIGRATION_DATABASE_URL: withDatabase(OWNER_URL, name),
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `kt-test-${name}`,
    DB_POOL_SIZE: '5',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    ...env,
  });
  await runMigrations(config);
  await ensureAppLoginRole(config);
  return {
    name,
    config,
    drop: async () => {
      const c = new Client({ connectionString: OWNER_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A client connected as the migration (owner) role, for assertions the app role may not make. */
export async function ownerClient(db: TestDatabase): Promise<Client> {
  const c = new Client({ connectionString: db.config.MIGRATION_DATABASE_URL });
  await c.connect();
  return c;
}
