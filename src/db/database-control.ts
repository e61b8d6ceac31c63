import { Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '../config/app-config';

/** Short, so that readiness answers within its own deadline even when PostgreSQL hangs. */
const CONTROL_TIMEOUT_MS = 1000;

/**
 * Two connections of their own, beside the application's pool: for the readiness ping and for cancelling
 * an abandoned request's statement. Neither may wait behind a pool that requests have filled up, and a
 * PostgreSQL that is really gone still fails the ping (the pool reconnects on every use after an error).
 */
@Injectable()
export class DatabaseControl implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(config: AppConfig) {
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      application_name: 'ketentafel-control',
      max: 2,
      idleTimeoutMillis: 0,
      connectionTimeoutMillis: CONTROL_TIMEOUT_MS,
      statement_timeout: CONTROL_TIMEOUT_MS,
      lock_timeout: CONTROL_TIMEOUT_MS,
    });
    // An idle connection that died (server restart, terminated backend) is dropped and replaced on next use.
    this.pool.on('error', () => undefined);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Cancels the statement a backend of the application's own role is running (a no-op when it runs none). */
  async cancelBackend(pid: number): Promise<void> {
    await this.pool.query('SELECT pg_cancel_backend($1)', [pid]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

@Global()
@Module({ providers: [DatabaseControl], exports: [DatabaseControl] })
export class DatabaseControlModule {}
