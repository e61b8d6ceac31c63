import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_GROUP_ROLE } from './app-role';
import { dataSourceOptions } from './data-source-options';

const MIGRATION_LOCK_KEY = 7_204_311; // pg_advisory_lock key shared by every process that migrates

/** The same server URL with another database (and, for a login role whose password is its name, another user). */
export function withDatabase(url: string, database: string, user?: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (user) {
    u.username = user;
    u.password = user;
  }
  return u.toString();
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** Development convenience: create the database and the application's login role if they are missing. */
export async function createDatabaseIfMissing(config: AppConfig): Promise<void> {
  const target = new URL(config.MIGRATION_DATABASE_URL).pathname.slice(1);
  const admin = new Client({ connectionString: withDatabase(config.MIGRATION_DATABASE_URL, 'postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [target]);
    if (!rowCount) {
      await admin.query(`CREATE DATABASE ${ident(target)}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created meanwhile by another process
      });
    }
  } finally {
    await admin.end();
  }
}

/** Makes the login role of DATABASE_URL exist and be a member of the application group role. */
export async function ensureAppLoginRole(config: AppConfig): Promise<void> {
  const app = new URL(config.DATABASE_URL);
  const role = decodeURIComponent(app.username);
  const password = decodeURIComponent(app.password);
  const owner = new Client({ connectionString: config.MIGRATION_DATABASE_URL });
  await owner.connect();
  try {
    const { rows } = await owner.query('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [role]);
    if (rows.length === 0) {
      await owner
        .query(`CREATE ROLE ${ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE${password ? ` PASSWORD ${literal(password)}` : ''}`)
        .catch((e: { code?: string }) => {
          if (e.code !== '42710' && e.code !== '23505') throw e;
        });
    } else if (rows[0].rolsuper) {
      throw new Error(`DATABASE_URL must name a role that is not a superuser (role ${role} is one)`);
    }
    await owner.query(`GRANT ${APP_GROUP_ROLE} TO ${ident(role)}`);
  } finally {
    await owner.end();
  }
}

/** Runs pending migrations as the migration role, one process at a time. */
export async function runMigrations(config: AppConfig): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(config.MIGRATION_DATABASE_URL, { entities: [] }));
  await ds.initialize();
  const lock = ds.createQueryRunner(); // session-level lock: lock and unlock on the same connection
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const done = await ds.runMigrations({ transaction: 'each' });
      return done.map((m) => m.name);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
    await ds.destroy();
  }
}

export async function prepareDatabase(config: AppConfig): Promise<void> {
  if (config.DB_BOOTSTRAP) await createDatabaseIfMissing(config);
  if (config.DB_RUN_MIGRATIONS) await runMigrations(config);
  if (config.DB_BOOTSTRAP) await ensureAppLoginRole(config);
}
