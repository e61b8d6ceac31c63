import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { ProcessRole } from './app.module';
import { ConfigError, loadConfig, urlHost } from './config/app-config';
import { checkApplicationDatabase, preflight, preparationProblem, UnreachableError } from './config/preflight';
import { prepareDatabase } from './db/bootstrap';

const ROLES: ProcessRole[] = ['api', 'worker', 'all'];

/** `node dist/src/main.js [api|worker|all]`: API, worker, or both in one process (the default). */
async function main(): Promise<void> {
  const role = (process.argv[2] ?? 'all') as ProcessRole;
  if (!ROLES.includes(role)) throw new ConfigError(`Unknown process role "${role}"; use api, worker or all`);
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  await preflight(config);
  await prepareDatabase(config).catch((e: unknown) => {
    throw preparationProblem(e, config);
  });
  await checkApplicationDatabase(config);

  // Loaded only once the configuration and the services are known to work: a bad setting is reported
  // within a second, before the whole application (every module, entity and controller) is loaded.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { createHttpApp, createWorkerContext } = require('./app.factory') as typeof import('./app.factory');
  const { exitOnSignals } = require('./common/shutdown') as typeof import('./common/shutdown');
  const { Logger } = require('@nestjs/common') as typeof import('@nestjs/common');
  /* eslint-enable @typescript-eslint/no-require-imports */

  if (role === 'worker') {
    const worker = await createWorkerContext(config);
    exitOnSignals(worker);
    new Logger('Main').log({ event: 'started', role }, 'Ketentafel worker started');
    return;
  }
  const app = await createHttpApp(config, role);
  exitOnSignals(app);
  if (config.DEMO_SEED) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { seedDemo } = require('./db/demo-seed') as typeof import('./db/demo-seed');
    const { Clock } = require('./common/clock') as typeof import('./common/clock');
    const { DataSource } = require('typeorm') as typeof import('typeorm');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const result = await seedDemo(app.get(DataSource), app.get(Clock).now());
    if (result.seeded) app.get(DataSource).logger.log('info', 'demo seeded');
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  const { port } = app.getHttpServer().address() as AddressInfo;
  // PORT=0 takes any free port: links in e-mail, calendar feeds and webhooks follow the one taken.
  if (config.publicBaseUrlFollowsPort) config.PUBLIC_BASE_URL = `http://${urlHost(config.HOST)}:${port}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MetricsListener } = require('./health/metrics') as typeof import('./health/metrics');
  const metrics = config.METRICS_PORT ? await app.get(MetricsListener).listen() : undefined;
  console.log(
    `Ketentafel ${role} listening on ${config.PUBLIC_BASE_URL}/api/v1 (API docs: ${config.PUBLIC_BASE_URL}/api/v1/docs)${metrics ? `; metrics on ${metrics}` : ''}`,
  );
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof UnreachableError) {
    console.error(e.message);
  } else {
    console.error('Ketentafel failed to start:', e instanceof Error ? e.message.split('\n')[0] : e);
  }
  process.exit(1);
});
