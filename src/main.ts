import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { createHttpApp, createWorkerContext } from './app.factory';
import type { ProcessRole } from './app.module';
import { ConfigError, loadConfig } from './config/app-config';
import { Clock } from './common/clock';
import { exitOnSignals } from './common/shutdown';
import { preflight, UnreachableError } from './config/preflight';
import { prepareDatabase } from './db/bootstrap';
import { seedDemo } from './db/demo-seed';
import { DataSource } from 'typeorm';

const ROLES: ProcessRole[] = ['api', 'worker', 'all'];

/** `node dist/src/main.js [api|worker|all]`: API, worker, or both in one process (the default). */
async function main(): Promise<void> {
  const role = (process.argv[2] ?? 'all') as ProcessRole;
  if (!ROLES.includes(role)) throw new ConfigError(`Unknown process role "${role}"; use api, worker or all`);
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  await preflight(config);
  await prepareDatabase(config);

  if (role === 'worker') {
    const worker = await createWorkerContext(config);
    exitOnSignals(worker);
    new Logger('Main').log({ event: 'started', role }, 'Ketentafel worker started');
    return;
  }
  const app = await createHttpApp(config, role);
  exitOnSignals(app);
  if (config.DEMO_SEED) {
    const result = await seedDemo(app.get(DataSource), app.get(Clock).now());
    if (result.seeded) app.get(DataSource).logger.log('info', 'demo seeded');
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  console.log(`Ketentafel ${role} listening on ${config.PUBLIC_BASE_URL} (API docs: ${config.PUBLIC_BASE_URL}/api/v1/docs)`);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof UnreachableError) {
    console.error(e.message);
  } else {
    console.error('Ketentafel failed to start:', e instanceof Error ? e.message : e);
  }
  process.exit(1);
});
