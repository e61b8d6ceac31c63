import type { DataSource } from 'typeorm';
import { ApiScope } from '../src/auth/permissions';
import { givenMembership, givenTable, GivenTable, givenTableUser } from './support/factories';
import { bearer, login, partnerToken, startTestApp, TestApp } from './support/test-app';

/** Counts the statements the app sends while `run` runs, at the pg client every pool connection is an instance of. */
async function statementsOf(ds: DataSource, run: () => Promise<unknown>): Promise<string[]> {
  const proto = (ds.driver as unknown as { postgres: { Client: { prototype: { query: (...a: unknown[]) => unknown } } } }).postgres.Client.prototype;
  const original = proto.query;
  const statements: string[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    statements.push(typeof q === 'string' ? q : ((q as { text?: string })?.text ?? String(q)));
    return original.apply(this, args);
  };
  try {
    await run();
  } finally {
    proto.query = original;
  }
  return statements;
}

/** `/auth/me`: what every client needs first (issue 12, "Lists"): name, organisation, roles, and the tables with the caller's role. */
describe('GET /auth/me', () => {
  let t: TestApp;
  let chaired: GivenTable;
  let sat: GivenTable;
  let left: GivenTable;

  beforeAll(async () => {
    t = await startTestApp();
    chaired = await givenTable(t.dataSource, { name: 'B-tafel chaired' });
    sat = await givenTable(t.dataSource, { name: 'A-tafel member', organisations: { POLICE: chaired.organisations.POLICE! } });
    left = await givenTable(t.dataSource, { name: 'C-tafel left', organisations: { POLICE: chaired.organisations.POLICE! } });
  });
  afterAll(() => t?.close());

  it("answers a user's name, organisation and current tables with their role, in one statement", async () => {
    const user = await givenTableUser(t.dataSource, chaired, 'POLICE', 'chair');
    await givenMembership(t.dataSource, sat.id, user.id);
    await givenMembership(t.dataSource, left.id, user.id);
    await t.dataSource.query(`UPDATE table_membership SET ended_at = now() WHERE table_id = $1 AND user_id = $2`, [left.id, user.id]);
    await t.dataSource.query(`UPDATE app_user SET name = 'Wijkagent Test' WHERE id = $1`, [user.id]);
    const token = (await login(t, user.email)).accessToken;
    const [org] = await t.dataSource.query(`SELECT name FROM organisation WHERE id = $1`, [chaired.organisations.POLICE]);

    let body: Record<string, unknown> = {};
    const statements = await statementsOf(t.dataSource, async () => {
      body = (await t.http().get('/api/v1/auth/me').set(bearer(token)).expect(200)).body;
    });
    expect(body).toEqual({
      kind: 'user',
      id: user.id,
      name: 'Wijkagent Test',
      organisation: { id: chaired.organisations.POLICE, name: org.name, type: 'POLICE' },
      organisationId: chaired.organisations.POLICE,
      organisationType: 'POLICE',
      roles: [],
      scopes: [],
      tables: [
        { id: sat.id, name: 'A-tafel member', role: 'member' },
        { id: chaired.id, name: 'B-tafel chaired', role: 'chair' },
      ],
    });
    // The session check of the token guard, and the one read of the answer.
    expect(statements.filter((s) => /\bapp_user\b|\bapi_client\b/.test(s))).toHaveLength(1);
  });

  it('answers the global roles of an administrator, who sits at no table', async () => {
    const admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
    const me = (await t.http().get('/api/v1/auth/me').set(bearer(admin)).expect(200)).body;
    expect(me).toMatchObject({ kind: 'user', name: 'Beheerder', roles: ['admin'], tables: [], organisation: { type: 'ADMINISTRATION' } });
  });

  it("answers a partner system's client name, organisation and scopes", async () => {
    const admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
    const token = await partnerToken(t, admin, chaired.organisations.POLICE!, [ApiScope.IncidentsWrite]);
    const me = (await t.http().get('/api/v1/auth/me').set(bearer(token)).expect(200)).body;
    expect(me).toMatchObject({
      kind: 'client',
      name: expect.stringMatching(/^Partner /),
      organisation: { id: chaired.organisations.POLICE, type: 'POLICE' },
      roles: [],
      scopes: [ApiScope.IncidentsWrite],
      tables: [],
    });
  });
});
