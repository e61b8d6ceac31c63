import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { PgWireCounter, type WireCounts } from '../../bench/pg-wire-counter';
import { Clock } from '../../src/common/clock';
import { DEMO_PASSWORD, seedDemo } from '../../src/db/demo-seed';
import { startAppOn } from './test-app';
import { createTestDatabase, ownerClient, type TestDatabase } from './test-database';

/**
 * What one request costs PostgreSQL, counted on the wire: the fewest statements of `runs` runs, since a
 * background statement (the log sealer, a scheduler) can only add to a run, while an N+1 shows in every run.
 */
export async function costOf(counter: PgWireCounter, send: () => Promise<unknown>, runs = 3): Promise<WireCounts> {
  const counted: WireCounts[] = [];
  for (let i = 0; i < runs; i++) {
    counter.take();
    await send();
    counted.push(counter.take());
  }
  return counted.reduce((a, b) => (b.statements < a.statements ? b : a));
}

/** The application (`api` role) on a fresh demo database, its connections through a wire counter. */
export interface CountedApp {
  db: TestDatabase;
  counter: PgWireCounter;
  app: NestFastifyApplication;
  /** The database owner's connection, for fixtures and EXPLAIN. */
  owner: Client;
  /** The demo chair's (coa@demo.ketentafel.nl) access token. */
  token: string;
  now: Date;
  close(): Promise<void>;
}

export async function startCountedApp(): Promise<CountedApp> {
  const db = await createTestDatabase();
  const counter = new PgWireCounter({ host: '127.0.0.1', port: 5432 }, true);
  const url = new URL(db.config.DATABASE_URL);
  url.port = String(await counter.start());
  const app = await startAppOn(db, { DATABASE_URL: url.toString() });
  const now = app.get(Clock).now();
  await seedDemo(app.get(DataSource), now);
  const owner = await ownerClient(db);
  const login = await request(app.getHttpServer()).post('/api/v1/auth/login').send({ email: 'coa@demo.ketentafel.nl', password: DEMO_PASSWORD }).expect(200);
  return {
    db,
    counter,
    app,
    owner,
    token: login.body.accessToken,
    now,
    close: async () => {
      await owner.end();
      await app.close();
      await counter.stop();
      await db.drop();
    },
  };
}
