import { bearer, login, startTestApp, TestApp } from './support/test-app';

describe('invalid input', () => {
  let t: TestApp;
  let admin: string;
  const count = async () => Number((await t.dataSource.query('SELECT count(*) AS n FROM organisation'))[0].n);

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
  });
  afterAll(() => t.close());

  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown field', { type: 'COA', name: 'COA Ede', ethnicity: 'x' }, 'ethnicity'],
    ['a wrong type', { type: 'COA', name: 42 }, 'name'],
    ['a missing field', { name: 'COA Ede' }, 'type'],
    ['a value outside the enumeration', { type: 'CHURCH', name: 'X' }, 'type'],
    ['a malformed municipality code', { type: 'MUNICIPALITY', name: 'Gemeente Ede', municipalityCode: '0228' }, 'municipalityCode'],
  ];

  it.each(cases)('rejects %s with 400 problem naming the field, and changes nothing', async (_label, body, field) => {
    const before = await count();
    const res = await t.http().post('/api/v1/organisations').set(bearer(admin)).send(body).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, title: 'Bad Request', code: 'invalid_input', type: expect.any(String) });
    expect(res.body.invalidParams.map((p: { name: string }) => p.name)).toContain(field);
    expect(await count()).toBe(before);
  });

  it('lists all offending fields at once', async () => {
    const res = await t.http().post('/api/v1/organisations').set(bearer(admin)).send({ name: 7, extra: true }).expect(400);
    expect(res.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['extra', 'name', 'type']);
  });

  it('never echoes submitted values, stack traces or SQL', async () => {
    const res = await t.http().post('/api/v1/users').set(bearer(admin)).send({ organisationId: 'x', name: 'A', email: 'secret-person@example' }).expect(400);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('secret-person');
    expect(text).not.toMatch(/at \w+ \(|SELECT|INSERT/);
  });

  it('rejects a malformed id in the path as 400 naming it', async () => {
    const res = await t.http().get('/api/v1/organisations/not-a-uuid').set(bearer(admin)).expect(400);
    expect(res.body.invalidParams).toEqual([{ name: 'id', reason: 'must be a UUID' }]);
  });

  it('answers 415 to a body that is not JSON, and 400 to broken JSON', async () => {
    const before = await count();
    const res = await t.http().post('/api/v1/organisations').set(bearer(admin)).set('Content-Type', 'text/plain').send('type=COA').expect(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    await t.http().post('/api/v1/organisations').set(bearer(admin)).set('Content-Type', 'application/json').send('{"type":').expect(400);
    expect(await count()).toBe(before);
  });

  it('gives 409 problem for a duplicate organisation name and 404 for an unknown id', async () => {
    await t.http().post('/api/v1/organisations').set(bearer(admin)).send({ type: 'COA', name: 'COA azc Harderwijk' }).expect(409);
    await t.http().get('/api/v1/organisations/00000000-0000-4000-8000-000000000000').set(bearer(admin)).expect(404);
  });

  it('keeps administration to administrators', async () => {
    const coa = (await login(t, 'coa@demo.ketentafel.nl')).accessToken;
    await t.http().post('/api/v1/organisations').set(bearer(coa)).send({ type: 'COA', name: 'X' }).expect(403);
    await t.http().get('/api/v1/users').set(bearer(coa)).expect(403);
    await t.http().get('/api/v1/api-clients').set(bearer(coa)).expect(403);
  });
});
