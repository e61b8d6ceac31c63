import { Client } from 'pg';
import { loadConfig } from '../src/config/app-config';
import { preflight } from '../src/config/preflight';

const OWNER_URL = process.env.TEST_DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
};

/**
 * Fails the run at once, with one clear line, when PostgreSQL or Redis is not there. Then drops the test
 * databases a crashed earlier run left behind (named kt_test_<pid>_…, whose process no longer exists).
 */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', DB_BOOTSTRAP: 'true' });
  await preflight(config);
  const admin = new Client({ connectionString: OWNER_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'kt\\_test\\_%'`);
    for (const { datname } of rows as { datname: string }[]) {
      const pid = Number(/^kt_test_(\d+)_/.exec(datname)?.[1]);
      if (pid && !alive(pid)) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    }
  } finally {
    await admin.end();
  }
}
