import { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { MIGRATIONS } from './migrations';
import { ScopedClient } from './query-scope';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export function dataSourceOptions(url: string, extra: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migration',
    namingStrategy: new SnakeNamingStrategy(),
    logging: false,
    ...extra,
  } as DataSourceOptions;
}

/**
 * The application pool's `extra` (node-postgres options): every wait on PostgreSQL is bounded. The session
 * timeouts are startup parameters of each connection, so they hold for every statement, in requests and
 * jobs alike (a job that needs longer says `SET LOCAL statement_timeout` in its transaction). Migrations use
 * their own connection without them.
 */
export function appPoolOptions(config: AppConfig, applicationName: string): Record<string, unknown> {
  return {
    max: config.DB_POOL_SIZE,
    application_name: applicationName,
    // Both waiting for a free connection and opening a new one.
    connectionTimeoutMillis: config.DB_POOL_ACQUIRE_TIMEOUT_MS,
    statement_timeout: config.DB_STATEMENT_TIMEOUT_MS,
    lock_timeout: config.DB_LOCK_TIMEOUT_MS,
    idle_in_transaction_session_timeout: config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    Client: ScopedClient,
  };
}
