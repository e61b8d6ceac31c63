import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../src/config/app-config';
import { prepareDatabase } from '../src/db/bootstrap';
import { dataSourceOptions } from '../src/db/data-source-options';
import { seedDemo } from '../src/db/demo-seed';
import { ENTITIES } from '../src/db/entities';
import { seedScale } from './seed-scale';

const USAGE = 'Usage: npm run seed:scale -- --cases <N> [--seed <S>] [--tables <T>] [--now <ISO instant>]';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function integer(name: string, fallback?: number): number | undefined {
  const raw = arg(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`--${name} must be a whole number, not "${raw}"\n${USAGE}`);
  return Number(raw);
}

/**
 * `npm run seed:scale -- --cases N [--seed S]`: fills the database `npm start` uses (MIGRATION_DATABASE_URL, as
 * its owner) with N cases of scale data (bench/seed-scale.ts). Creates and migrates the database if needed and,
 * as `npm start` would on an empty database outside production, seeds the demo first, so that the demo's chair
 * (coa@demo.ketentafel.nl) sees the demo table's share of the cases. `--now` fixes the instant the data is laid
 * out before (default: the start of this minute); the same seed and `--now` give the same data.
 */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const cases = integer('cases');
  if (!cases) throw new ConfigError(USAGE);
  const seed = integer('seed', 1)!;
  const tables = integer('tables');
  const nowArg = arg('now');
  // A command-line tool with no application, so no Clock: the real time, to the minute.
  const now = nowArg ? new Date(nowArg) : new Date(Math.floor(Date.now() / 60_000) * 60_000);
  if (Number.isNaN(now.getTime())) throw new ConfigError(`--now must be an ISO instant, not "${nowArg}"\n${USAGE}`);
  const config = loadConfig(process.env);
  if (config.isProduction) throw new ConfigError('seed:scale fills the database with fictitious cases; it refuses to run with NODE_ENV=production');
  await prepareDatabase(config);

  if (config.DEMO_SEED) {
    const ds = await new DataSource(dataSourceOptions(config.MIGRATION_DATABASE_URL, { entities: ENTITIES })).initialize();
    try {
      const demo = await seedDemo(ds, now);
      if (demo.seeded) console.log('Demo seeded (LKO Harderwijk).');
    } finally {
      await ds.destroy();
    }
  }

  const db = new Client({ connectionString: config.MIGRATION_DATABASE_URL, application_name: 'ketentafel-seed-scale' });
  await db.connect();
  const started = performance.now();
  try {
    console.log(`Seeding ${cases.toLocaleString('en')} cases (seed ${seed}, now ${now.toISOString()}) into ${new URL(config.MIGRATION_DATABASE_URL).pathname.slice(1)} …`);
    const counts = await seedScale(db, {
      cases,
      seed,
      now,
      tables,
      pseudonymKey: config.PSEUDONYM_KEY,
      onStep: (step, rows, ms) => console.log(`  ${step.padEnd(28)} ${rows ? rows.toLocaleString('en').padStart(12) : ''.padStart(12)} ${(ms / 1000).toFixed(1).padStart(7)} s`),
    });
    const seconds = (performance.now() - started) / 1000;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`Rows inserted:`);
    for (const [table, rows] of Object.entries(counts)) console.log(`  ${table.padEnd(28)} ${rows.toLocaleString('en').padStart(12)}`);
    console.log(`  ${'total'.padEnd(28)} ${total.toLocaleString('en').padStart(12)}`);
    console.log(`Done in ${seconds.toFixed(1)} s.`);
  } finally {
    await db.end();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : `seed:scale failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
