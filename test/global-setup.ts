import { loadConfig } from '../src/config/app-config';
import { preflight } from '../src/config/preflight';

/** Fails the run at once, with one clear line, when PostgreSQL or Redis is not there. */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', DB_BOOTSTRAP: 'true' });
  await preflight(config);
}
