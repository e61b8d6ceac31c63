import { randomInt } from 'node:crypto';
import { Permission } from '../src/auth/permissions';
import type { Principal } from '../src/auth/principal';
import type { RequestContext } from '../src/common/request-context';
import { AccessService } from '../src/sharing/access.service';
import { CATEGORIES, DEFAULT_LEGAL_BASIS, DEFAULT_MATRIX } from '../src/sharing/categories';
import { givenOrganisation, givenUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

const READ = { permission: Permission.TableRead, operation: 'test' };

interface Grant {
  organisationType: string;
  category: string;
  lawfulGround: string;
  legalBasis: string;
  processingActivityId?: string;
}

const DEMO = ['coa', 'ind', 'dtv', 'politie', 'om', 'gemeente', 'ketenmarinier'] as const;
type DemoKey = (typeof DEMO)[number] | 'admin';

const randomPrefix = () => Array.from({ length: 5 }, () => String.fromCharCode(65 + randomInt(26))).join('');
const pair = (g: { organisationType: string; category: string }) => `${g.organisationType}/${g.category}`;

describe('tables, memberships and covenants', () => {
  let t: TestApp;
  const tokens = {} as Record<DemoKey, string>;
  const users = {} as Record<DemoKey, { id: string; organisationId: string; organisationType: Principal['organisationType'] }>;

  const http = () => t.http();
  const as = (who: DemoKey) => bearer(tokens[who]);
  const count = async (sql: string, params: unknown[] = []) => Number((await t.dataSource.query(sql, params))[0].n);
  const ctxOf = (who: DemoKey): RequestContext => ({
    principal: { kind: 'user', id: users[who].id, organisationId: users[who].organisationId, organisationType: users[who].organisationType, roles: [], scopes: [] },
    traceId: 'trace-tables',
  });

  const tableBody = (overrides: Record<string, unknown> = {}) => ({
    name: `LKO ${randomPrefix()}`,
    coaLocation: 'azc Harderwijk',
    municipalityCode: 'GM0243',
    cadenceRrule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0',
    caseReferencePrefix: randomPrefix(),
    memberOrganisationIds: DEMO.map((k) => users[k].organisationId),
    ...overrides,
  });

  async function createTable(overrides: Record<string, unknown> = {}): Promise<string> {
    const res = await http().post('/api/v1/tables').set(as('admin')).send(tableBody(overrides));
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function seat(tableId: string, who: DemoKey, role: 'chair' | 'member' = 'member', by: DemoKey = 'admin') {
    const res = await http().post(`/api/v1/tables/${tableId}/memberships`).set(as(by)).send({ userId: users[who].id, role });
    expect(res.status).toBe(201);
    return res.body as { id: string; role: string };
  }

  const memberships = async (tableId: string, includeEnded = true) =>
    (await http().get(`/api/v1/tables/${tableId}/memberships?includeEnded=${includeEnded}&limit=100`).set(as('admin')).expect(200)).body.items as {
      id: string;
      userId: string;
      role: string;
      endedAt: string | null;
      startedAt: string;
      changedBy: string | null;
    }[];

  beforeAll(async () => {
    t = await startTestApp();
    for (const key of [...DEMO, 'admin'] as DemoKey[]) {
      const email = `${key}@demo.ketentafel.nl`;
      tokens[key] = (await login(t, email)).accessToken;
      const [u] = await t.dataSource.query(
        `SELECT u.id, u.organisation_id AS "organisationId", o.type AS "organisationType" FROM app_user u JOIN organisation o ON o.id = u.organisation_id WHERE u.email = $1`,
        [email],
      );
      users[key] = u;
    }
  });
  afterAll(() => t.close());

  it('lets an administrator set up a table whose covenant version 1 is exactly the default matrix', async () => {
    const body = tableBody();
    const res = await http().post('/api/v1/tables').set(as('admin')).send(body).expect(201);
    expect(res.body).toMatchObject({
      name: body.name,
      caseReferencePrefix: body.caseReferencePrefix,
      holidayPolicy: 'skip',
      retentionMonths: 24,
      active: true,
      currentCovenantVersion: 1,
    });
    expect(res.body.memberOrganisations.map((o: { organisationId: string }) => o.organisationId).sort()).toEqual([...body.memberOrganisationIds].sort());

    const covenant = (await http().get(`/api/v1/tables/${res.body.id}/covenant`).set(as('admin')).expect(200)).body;
    expect(covenant).toMatchObject({ version: 1, changeNote: 'Default covenant (DOMAIN.md section 7)', createdBy: users.admin.id });
    const expected = CATEGORIES.flatMap((category) => DEFAULT_MATRIX[category].map((organisationType) => pair({ organisationType, category })));
    expect(covenant.grants.map(pair).sort()).toEqual(expected.sort());
    expect(covenant.grants).toHaveLength(expected.length);
    for (const g of covenant.grants as Grant[]) {
      expect(g.legalBasis).toBe(DEFAULT_LEGAL_BASIS[g.organisationType as keyof typeof DEFAULT_LEGAL_BASIS]);
      expect(['public_task', 'legal_obligation']).toContain(g.lawfulGround);
    }

    const register = (await http().get(`/api/v1/tables/${res.body.id}/processing-activities`).set(as('admin')).expect(200)).body.items;
    expect(register.map((a: { category: string }) => a.category)).toEqual([...CATEGORIES]);
    const activityCategory = new Map(register.map((a: { id: string; category: string }) => [a.id, a.category]));
    for (const g of covenant.grants as Grant[]) expect(activityCategory.get(g.processingActivityId!)).toBe(g.category);
  });

  it('refuses table creation to anyone but an administrator, and creates nothing', async () => {
    const before = await count('SELECT count(*) AS n FROM chain_table');
    const res = await http().post('/api/v1/tables').set(as('politie')).send(tableBody()).expect(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('permission_denied');
    expect(await count('SELECT count(*) AS n FROM chain_table')).toBe(before);
  });

  it('shows a table to administrators and its members, and answers 404 to anyone else as if it did not exist', async () => {
    const tableId = await createTable();
    await seat(tableId, 'politie');
    await http().get(`/api/v1/tables/${tableId}`).set(as('admin')).expect(200);
    const member = await http().get(`/api/v1/tables/${tableId}`).set(as('politie')).expect(200);
    expect(member.body.id).toBe(tableId);

    // gemeente's organisation sits at the table, but the person has no membership.
    const outsider = await http().get(`/api/v1/tables/${tableId}`).set(as('gemeente')).expect(404);
    const missing = await http().get('/api/v1/tables/00000000-0000-4000-8000-000000000000').set(as('gemeente')).expect(404);
    expect({ ...outsider.body, instance: undefined }).toEqual({ ...missing.body, instance: undefined });
    await http().get(`/api/v1/tables/${tableId}/covenant`).set(as('gemeente')).expect(404);
    await http().get(`/api/v1/tables/${tableId}/memberships`).set(as('gemeente')).expect(404);

    const mine = (await http().get('/api/v1/tables?limit=100').set(as('politie')).expect(200)).body.items;
    expect(mine.find((x: { id: string }) => x.id === tableId)).toMatchObject({ role: 'member' });
    const theirs = (await http().get('/api/v1/tables?limit=100').set(as('gemeente')).expect(200)).body.items;
    expect(theirs.map((x: { id: string }) => x.id)).not.toContain(tableId);
    const all = (await http().get('/api/v1/tables?limit=100').set(as('admin')).expect(200)).body.items;
    expect(all.map((x: { id: string }) => x.id)).toContain(tableId);
  });

  it('lets only the chair (or an administrator) change a table and its covenant: a member gets 403', async () => {
    const tableId = await createTable();
    await seat(tableId, 'coa', 'chair');
    await seat(tableId, 'politie');
    const covenant = (await http().get(`/api/v1/tables/${tableId}/covenant`).set(as('politie')).expect(200)).body;
    const put = { changeNote: 'Try', grants: covenant.grants.map(({ processingActivityId: _, ...g }: Grant) => g) };

    const patch = await http().patch(`/api/v1/tables/${tableId}`).set(as('politie')).send({ name: 'Renamed by member' }).expect(403);
    expect(patch.body.code).toBe('chair_only');
    expect((await http().put(`/api/v1/tables/${tableId}/covenant`).set(as('politie')).send(put).expect(403)).body.code).toBe('chair_only');
    await http().post(`/api/v1/tables/${tableId}/memberships`).set(as('politie')).send({ userId: users.om.id, role: 'member' }).expect(403);
    await http().patch(`/api/v1/tables/${tableId}`).set(as('gemeente')).send({ name: 'Renamed by outsider' }).expect(404);
    expect(await count('SELECT count(*) AS n FROM covenant_version WHERE table_id = $1', [tableId])).toBe(1);

    const name = `LKO ${randomPrefix()}`;
    const res = await http().patch(`/api/v1/tables/${tableId}`).set(as('coa')).send({ name, holidayPolicy: 'next_working_day', retentionMonths: 36 }).expect(200);
    expect(res.body).toMatchObject({ name, holidayPolicy: 'next_working_day', retentionMonths: 36, currentCovenantVersion: 1 });
    await http().put(`/api/v1/tables/${tableId}/covenant`).set(as('coa')).send(put).expect(200);
  });

  it('rotates the chair between organisations and keeps the history, with one active chair at a time', async () => {
    const tableId = await createTable();
    const coa = await seat(tableId, 'coa', 'chair');
    const gemeente = await seat(tableId, 'gemeente');

    // The chair hands over to the municipality's contact officer.
    const res = await http().patch(`/api/v1/tables/${tableId}/memberships/${gemeente.id}`).set(as('coa')).send({ role: 'chair' }).expect(200);
    expect(res.body).toMatchObject({ userId: users.gemeente.id, role: 'chair', endedAt: null, changedBy: users.coa.id });
    expect(res.body.id).not.toBe(gemeente.id);

    const rows = await memberships(tableId);
    const of = (who: DemoKey) => rows.filter((r) => r.userId === users[who].id);
    expect(of('coa').map((r) => [r.role, r.endedAt === null]).sort()).toEqual([['chair', false], ['member', true]]);
    expect(of('gemeente').map((r) => [r.role, r.endedAt === null]).sort()).toEqual([['chair', true], ['member', false]]);
    expect(rows.find((r) => r.id === coa.id)!.endedAt).toBe(rows.find((r) => r.userId === users.coa.id && !r.endedAt)!.startedAt);
    expect(rows.filter((r) => r.role === 'chair' && !r.endedAt)).toHaveLength(1);
    expect((await memberships(tableId, false)).every((r) => r.endedAt === null)).toBe(true);

    // The former chair is a member now; naming yet another chair demotes the current one again.
    await http().patch(`/api/v1/tables/${tableId}`).set(as('coa')).send({ coaLocation: 'azc elders' }).expect(403);
    await seat(tableId, 'politie', 'chair', 'gemeente');
    const after = await memberships(tableId);
    expect(after.filter((r) => r.role === 'chair' && !r.endedAt).map((r) => r.userId)).toEqual([users.politie.id]);
    expect(after.filter((r) => r.userId === users.gemeente.id && !r.endedAt).map((r) => r.role)).toEqual(['member']);
    expect(after).toHaveLength(6);
    expect(await count(`SELECT count(*) AS n FROM table_membership WHERE table_id = $1 AND role = 'chair' AND ended_at IS NULL`, [tableId])).toBe(1);
  });

  it('refuses a membership for a person whose organisation does not sit at the table, and a second active one', async () => {
    const tableId = await createTable({ memberOrganisationIds: [users.coa.organisationId, users.politie.organisationId] });
    const res = await http().post(`/api/v1/tables/${tableId}/memberships`).set(as('admin')).send({ userId: users.gemeente.id, role: 'member' }).expect(409);
    expect(res.body.code).toBe('organisation_not_member');
    expect(JSON.stringify(res.body)).not.toContain('gemeente');
    await seat(tableId, 'politie');
    const again = await http().post(`/api/v1/tables/${tableId}/memberships`).set(as('admin')).send({ userId: users.politie.id, role: 'chair' }).expect(409);
    expect(again.body.code).toBe('already_member');
    expect(await count('SELECT count(*) AS n FROM table_membership WHERE table_id = $1', [tableId])).toBe(1);
  });

  it('saves a covenant change as version 2 with its diff, and access follows it at once', async () => {
    const tableId = await createTable();
    await seat(tableId, 'politie');
    await seat(tableId, 'om');
    const access = t.app.get(AccessService);
    expect((await access.require(ctxOf('politie'), 'table', tableId, READ)).categories.has('criminal')).toBe(true);
    expect((await access.require(ctxOf('om'), 'table', tableId, READ)).categories.has('residence')).toBe(false);

    const v1 = (await http().get(`/api/v1/tables/${tableId}/covenant`).set(as('admin')).expect(200)).body.grants as Grant[];
    const grants = v1
      .filter((g) => pair(g) !== 'POLICE/criminal')
      .map(({ processingActivityId: _, ...g }) => (pair(g) === 'COA/identity' ? { ...g, legalBasis: 'Art. 6 lid 1 sub e AVG; Wet COA art. 3 lid 2' } : g));
    grants.push({ organisationType: 'OM', category: 'residence', lawfulGround: 'public_task', legalBasis: 'Art. 6 lid 1 sub e AVG; Wjsg art. 39f' });

    const res = await http().put(`/api/v1/tables/${tableId}/covenant`).set(as('admin')).send({ changeNote: 'Narrow police, widen OM', grants }).expect(200);
    expect(res.body).toMatchObject({ version: 2, changeNote: 'Narrow police, widen OM', createdBy: users.admin.id });
    expect(res.body.grants.map(pair).sort()).toEqual(grants.map(pair).sort());

    expect((await access.require(ctxOf('politie'), 'table', tableId, READ)).categories.has('criminal')).toBe(false);
    expect((await access.require(ctxOf('om'), 'table', tableId, READ)).categories.has('residence')).toBe(true);
    expect((await http().get(`/api/v1/tables/${tableId}`).set(as('politie')).expect(200)).body.currentCovenantVersion).toBe(2);

    const versions = (await http().get(`/api/v1/tables/${tableId}/covenant/versions`).set(as('politie')).expect(200)).body.items;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions[0].added.map(pair)).toEqual(['OM/residence']);
    expect(versions[0].removed.map(pair)).toEqual(['POLICE/criminal']);
    expect(versions[0].changed).toEqual([
      {
        organisationType: 'COA',
        category: 'identity',
        from: { lawfulGround: 'public_task', legalBasis: DEFAULT_LEGAL_BASIS.COA },
        to: { lawfulGround: 'public_task', legalBasis: 'Art. 6 lid 1 sub e AVG; Wet COA art. 3 lid 2' },
      },
    ]);
    expect(versions[1]).toMatchObject({ version: 1, removed: [], changed: [] });
    expect(versions[1].added).toHaveLength(v1.length);
  });

  it('refuses consent as lawful ground (and other invalid grants) with 400 naming the field, and saves nothing', async () => {
    const tableId = await createTable();
    const versions = () => count('SELECT count(*) AS n FROM covenant_version WHERE table_id = $1', [tableId]);
    const grant = { organisationType: 'POLICE', category: 'criminal', lawfulGround: 'public_task', legalBasis: 'Wet politiegegevens art. 19' };

    const consent = await http()
      .put(`/api/v1/tables/${tableId}/covenant`)
      .set(as('admin'))
      .send({ changeNote: 'Consent', grants: [grant, { ...grant, category: 'care', lawfulGround: 'consent' }] })
      .expect(400);
    expect(consent.headers['content-type']).toMatch(/^application\/problem\+json/);
    const param = consent.body.invalidParams.find((p: { name: string }) => p.name === 'grants.1.lawfulGround');
    expect(param.reason).toMatch(/consent .*cannot be chosen for public partners/);

    const invalid: [Record<string, unknown>, string][] = [
      [{ changeNote: 'Twice', grants: [grant, { ...grant, legalBasis: 'Something else' }] }, 'grants'],
      [{ changeNote: 'Admin', grants: [{ ...grant, organisationType: 'ADMINISTRATION' }] }, 'grants.0.organisationType'],
      [{ changeNote: 'Religion', grants: [{ ...grant, category: 'religion' }] }, 'grants.0.category'],
      [{ changeNote: 'Short', grants: [{ ...grant, legalBasis: 'x' }] }, 'grants.0.legalBasis'],
      [{ grants: [grant] }, 'changeNote'],
      [{ changeNote: 'x'.repeat(501), grants: [grant] }, 'changeNote'],
      [{ changeNote: 'Extra', grants: [{ ...grant, ethnicity: 'x' }] }, 'grants.0.ethnicity'],
    ];
    for (const [body, field] of invalid) {
      const res = await http().put(`/api/v1/tables/${tableId}/covenant`).set(as('admin')).send(body);
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body.invalidParams.map((p: { name: string }) => p.name)).toContain(field);
    }
    expect(await versions()).toBe(1);
    expect((await http().get(`/api/v1/tables/${tableId}/covenant`).set(as('admin')).expect(200)).body.version).toBe(1);
  });

  it("ends the memberships of an organisation's people when it leaves the table, so their access stops at once", async () => {
    const tableId = await createTable();
    await seat(tableId, 'politie', 'chair');
    await seat(tableId, 'coa');
    const access = t.app.get(AccessService);
    await access.require(ctxOf('politie'), 'table', tableId, READ);

    await http().delete(`/api/v1/tables/${tableId}/member-organisations/${users.politie.organisationId}`).set(as('admin')).expect(204);

    await expect(access.require(ctxOf('politie'), 'table', tableId, READ)).rejects.toMatchObject({ status: 404 });
    await http().get(`/api/v1/tables/${tableId}`).set(as('politie')).expect(404);
    const rows = await memberships(tableId);
    expect(rows.filter((r) => r.userId === users.politie.id).map((r) => [r.role, r.endedAt !== null, r.changedBy])).toEqual([['chair', true, users.admin.id]]);
    expect(rows.filter((r) => r.userId === users.coa.id && !r.endedAt)).toHaveLength(1);
    const detail = (await http().get(`/api/v1/tables/${tableId}`).set(as('coa')).expect(200)).body;
    expect(detail.memberOrganisations.map((o: { organisationId: string }) => o.organisationId)).not.toContain(users.politie.organisationId);
    expect(await count('SELECT count(*) AS n FROM table_member_organisation WHERE table_id = $1 AND left_at IS NOT NULL', [tableId])).toBe(1);

    await http().delete(`/api/v1/tables/${tableId}/member-organisations/${users.politie.organisationId}`).set(as('admin')).expect(404);
    const back = await http().post(`/api/v1/tables/${tableId}/member-organisations`).set(as('admin')).send({ organisationId: users.politie.organisationId }).expect(201);
    expect(back.body).toMatchObject({ organisationId: users.politie.organisationId, type: 'POLICE' });
    const twice = await http().post(`/api/v1/tables/${tableId}/member-organisations`).set(as('admin')).send({ organisationId: users.politie.organisationId }).expect(409);
    expect(twice.body.code).toBe('organisation_already_member');
    const [administration] = await t.dataSource.query(`SELECT id FROM organisation WHERE type = 'ADMINISTRATION'`);
    const operator = await http().post(`/api/v1/tables/${tableId}/member-organisations`).set(as('admin')).send({ organisationId: administration.id }).expect(409);
    expect(operator.body.code).toBe('organisation_not_eligible');
    await http().post(`/api/v1/tables/${tableId}/member-organisations`).set(as('admin')).send({ organisationId: '00000000-0000-4000-8000-000000000000' }).expect(404);
    // Rejoining does not bring the people back: they need new memberships.
    await http().get(`/api/v1/tables/${tableId}`).set(as('politie')).expect(404);
  });

  it('ends a single membership on DELETE and keeps the row', async () => {
    const tableId = await createTable();
    const m = await seat(tableId, 'ind');
    await http().get(`/api/v1/tables/${tableId}`).set(as('ind')).expect(200);
    await http().delete(`/api/v1/tables/${tableId}/memberships/${m.id}`).set(as('admin')).expect(204);
    await http().get(`/api/v1/tables/${tableId}`).set(as('ind')).expect(404);
    expect((await http().delete(`/api/v1/tables/${tableId}/memberships/${m.id}`).set(as('admin')).expect(409)).body.code).toBe('membership_ended');
    expect((await memberships(tableId)).map((r) => r.id)).toEqual([m.id]);
    expect(await memberships(tableId, false)).toEqual([]);
  });

  describe('invalid input', () => {
    const tables = () => count('SELECT count(*) AS n FROM chain_table');

    const cases: [string, Record<string, unknown>, string][] = [
      ['an unknown field', { ethnicity: 'x' }, 'ethnicity'],
      ['an RRULE that does not start with FREQ', { cadenceRrule: 'BYDAY=TU;FREQ=WEEKLY' }, 'cadenceRrule'],
      ['an RRULE with an unknown part', { cadenceRrule: 'FREQ=WEEKLY;BYDAY=TU;X-NAME=1' }, 'cadenceRrule'],
      ['an RRULE that is not KEY=VALUE', { cadenceRrule: 'FREQ=WEEKLY;every tuesday' }, 'cadenceRrule'],
      ['an RRULE with a bad hour', { cadenceRrule: 'FREQ=WEEKLY;BYHOUR=25' }, 'cadenceRrule'],
      ['a lower-case prefix', { caseReferencePrefix: 'hwk' }, 'caseReferencePrefix'],
      ['a too long prefix', { caseReferencePrefix: 'ABCDEFG' }, 'caseReferencePrefix'],
      ['a malformed municipality code', { municipalityCode: '0243' }, 'municipalityCode'],
      ['an unknown holiday policy', { holidayPolicy: 'ignore' }, 'holidayPolicy'],
      ['a retention beyond 120 months', { retentionMonths: 121 }, 'retentionMonths'],
      ['a malformed organisation id', { memberOrganisationIds: ['nope'] }, 'memberOrganisationIds'],
    ];

    it.each(cases)('rejects %s with 400 problem naming the field, and creates nothing', async (_label, overrides, field) => {
      const before = await tables();
      const res = await http().post('/api/v1/tables').set(as('admin')).send(tableBody(overrides)).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code: 'invalid_input' });
      expect(res.body.invalidParams.map((p: { name: string }) => p.name)).toContain(field);
      expect(await tables()).toBe(before);
    });

    it('rejects member organisations that are unknown, inactive or not chain partners, naming each', async () => {
      const before = await tables();
      const versionsBefore = await count('SELECT count(*) AS n FROM covenant_version');
      const inactive = await givenOrganisation(t.dataSource, 'KMAR');
      await t.dataSource.query('UPDATE organisation SET active = false WHERE id = $1', [inactive]);
      const [admin] = await t.dataSource.query(`SELECT id FROM organisation WHERE type = 'ADMINISTRATION'`);
      const ids = [users.coa.organisationId, '00000000-0000-4000-8000-000000000000', inactive, admin.id];
      const res = await http().post('/api/v1/tables').set(as('admin')).send(tableBody({ memberOrganisationIds: ids })).expect(400);
      expect(res.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['memberOrganisationIds.1', 'memberOrganisationIds.2', 'memberOrganisationIds.3']);
      expect(await tables()).toBe(before);
      expect(await count('SELECT count(*) AS n FROM covenant_version')).toBe(versionsBefore);
    });

    it('rejects a taken name or prefix with 409 and a bad PATCH with 400, changing nothing', async () => {
      const body = tableBody();
      await http().post('/api/v1/tables').set(as('admin')).send(body).expect(201);
      const before = await tables();
      expect((await http().post('/api/v1/tables').set(as('admin')).send(tableBody({ name: body.name })).expect(409)).body.code).toBe('table_name_taken');
      expect((await http().post('/api/v1/tables').set(as('admin')).send(tableBody({ caseReferencePrefix: body.caseReferencePrefix })).expect(409)).body.code).toBe(
        'case_reference_prefix_taken',
      );
      expect(await tables()).toBe(before);

      const tableId = await createTable();
      const res = await http().patch(`/api/v1/tables/${tableId}`).set(as('admin')).send({ cadenceRrule: 'FREQ=WEEKLY;COUNT=3;UNTIL=20261231', caseReferencePrefix: 'NEW' }).expect(400);
      expect(res.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['cadenceRrule', 'caseReferencePrefix']);
      const [row] = await t.dataSource.query('SELECT cadence_rrule FROM chain_table WHERE id = $1', [tableId]);
      expect(row.cadence_rrule).toBe('FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0');
      await http().get(`/api/v1/tables/${tableId}/memberships?includeEnded=yes`).set(as('admin')).expect(400);
    });

    it('does not tell an outsider more than 404 when they try to manage a table', async () => {
      const tableId = await createTable();
      const org = await givenOrganisation(t.dataSource, 'POLICE');
      const outsider = await givenUser(t.dataSource, org);
      const token = (await login(t, outsider.email)).accessToken;
      await http().post(`/api/v1/tables/${tableId}/member-organisations`).set(bearer(token)).send({ organisationId: org }).expect(404);
      await http().put(`/api/v1/tables/${tableId}/covenant`).set(bearer(token)).send({ changeNote: 'x', grants: [] }).expect(404);
      expect(await count('SELECT count(*) AS n FROM table_member_organisation WHERE table_id = $1 AND organisation_id = $2', [tableId, org])).toBe(0);
    });
  });
});
