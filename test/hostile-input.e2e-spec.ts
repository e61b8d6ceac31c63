import { AddressInfo, connect } from 'node:net';
import { givenAgendaItem, givenCase, givenMeeting, givenTable, givenTableUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

/**
 * Hostile input measured on main (issue 8): each case once answered 5xx, or an answer that was not
 * problem+json, or changed data. Every answer here must be a 4xx problem with API-Version and the
 * security headers, and must not echo the path.
 */
describe('hostile input', () => {
  let t: TestApp;
  let admin: string;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  const organisations = async () => Number((await t.dataSource.query('SELECT count(*) AS n FROM organisation'))[0].n);

  /** Sends raw bytes, so that nothing on the client side fixes up what a hostile client would send. */
  function raw(request: string | Buffer): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.on('error', reject);
      socket.on('end', () => {
        const text = Buffer.concat(chunks).toString('latin1');
        const [head, ...rest] = text.split('\r\n\r\n');
        const [statusLine, ...lines] = head.split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const body = rest.join('\r\n\r\n');
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body: headers['transfer-encoding'] === 'chunked' ? dechunk(body) : body });
      });
      socket.end(request);
    });
  }
  const dechunk = (body: string) => {
    let out = '';
    let rest = body;
    for (;;) {
      const n = parseInt(rest.slice(0, rest.indexOf('\r\n')), 16);
      if (!n) return out;
      rest = rest.slice(rest.indexOf('\r\n') + 2);
      out += rest.slice(0, n);
      rest = rest.slice(n + 2);
    }
  };

  function expectProblem(res: { status: number; headers: Record<string, string | string[] | undefined>; text?: string; body?: unknown }, status: number, code?: string) {
    const text = typeof res.body === 'string' ? res.body : (res.text ?? JSON.stringify(res.body));
    expect({ status: res.status, type: res.headers['content-type'] }).toEqual({ status, type: expect.stringMatching(/^application\/problem\+json/) });
    expect(res.headers['api-version']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    const problem = JSON.parse(text);
    expect(problem).toMatchObject({ status, title: expect.any(String), code: code ?? expect.any(String) });
    expect(text).not.toMatch(/FST_ERR|RangeError|URIError|invalid byte sequence|at \w+ \(/);
    return problem;
  }

  it('refuses JSON nested deeper than the limit with a 400 naming the limit, also on login and /oauth/token', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    for (const path of ['/api/v1/organisations', '/api/v1/auth/login', '/api/v1/oauth/token']) {
      const res = await t.http().post(path).set(bearer(admin)).set('Content-Type', 'application/json').send(`{"name":${deep}}`);
      const problem = expectProblem(res, 400, 'json_too_deep');
      expect(problem.detail).toMatch(/32/);
    }
    // Just inside the limit is parsed (and then refused by validation, not by the parser).
    const ok = '['.repeat(30) + ']'.repeat(30);
    const res = await t.http().post('/api/v1/organisations').set(bearer(admin)).set('Content-Type', 'application/json').send(`{"type":"COA","name":${ok}}`);
    expectProblem(res, 400, 'invalid_input');
  });

  it.each([
    ['a NUL character', 'COA\u0000Ede'],
    ['a lone high surrogate', 'COA \ud800 Ede'],
    ['a lone low surrogate', 'COA \udc00 Ede'],
  ])('refuses %s in a text field with a 400 listing the field, and changes nothing', async (_label, name) => {
    const before = await organisations();
    const res = await t.http().post('/api/v1/organisations').set(bearer(admin)).set('Content-Type', 'application/json').send(`{"type":"COA","name":${JSON.stringify(name)}}`);
    const problem = expectProblem(res, 400, 'invalid_input');
    expect(problem.invalidParams).toEqual([{ name: 'name', reason: expect.stringMatching(/NUL|surrogate|character/) }]);
    expect(await organisations()).toBe(before);
  });

  it('refuses a lone surrogate in the login e-mail and a NUL in Basic credentials of /oauth/token without a 5xx', async () => {
    const login = await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"email":"a\\ud800@example.nl","password":"x"}');
    expectProblem(login, 400, 'invalid_input');
    const token = await t.http()
      .post('/api/v1/oauth/token')
      .set('Authorization', `Basic ${Buffer.from('client\u0000id:secret').toString('base64')}`)
      .type('form')
      .send({ grant_type: 'client_credentials' });
    expect(token.status).toBeGreaterThanOrEqual(400);
    expect(token.status).toBeLessThan(500);
  });

  it('refuses a NUL in a query parameter', async () => {
    const res = await t.http().get('/api/v1/organisations?type=%00').set(bearer(admin));
    expectProblem(res, 400, 'invalid_input');
  });

  it('refuses explicit null for a field that cannot be cleared, and leaves the row as it was', async () => {
    const table = await givenTable(t.dataSource);
    const chair = await givenTableUser(t.dataSource, table, 'COA', 'chair');
    const token = (await login(t, chair.email)).accessToken;
    const meeting = await givenMeeting(t.dataSource, table);
    const [before] = await t.dataSource.query('SELECT scheduled_at FROM meeting WHERE id = $1', [meeting.id]);
    const res = await t.http().patch(`/api/v1/meetings/${meeting.id}`).set(bearer(token)).send({ scheduledAt: null });
    const problem = expectProblem(res, 400, 'invalid_input');
    expect(problem.invalidParams).toEqual([{ name: 'scheduledAt', reason: expect.stringMatching(/null/) }]);
    const [after] = await t.dataSource.query('SELECT scheduled_at FROM meeting WHERE id = $1', [meeting.id]);
    expect(after.scheduled_at).toEqual(before.scheduled_at);

    const org = (await t.http().get('/api/v1/organisations').set(bearer(admin)).expect(200)).body.items[0];
    expectProblem(await t.http().patch(`/api/v1/organisations/${org.id}`).set(bearer(admin)).send({ name: null }), 400, 'invalid_input');
    expectProblem(await t.http().patch(`/api/v1/tables/${table.id}`).set(bearer(admin)).send({ name: null }), 400, 'invalid_input');
  });

  it('refuses explicit null on PATCH of users, API clients and agenda items too, and changes nothing', async () => {
    const table = await givenTable(t.dataSource);
    const chair = await givenTableUser(t.dataSource, table, 'COA', 'chair');
    const chairToken = (await login(t, chair.email)).accessToken;
    const meeting = await givenMeeting(t.dataSource, table);
    const item = await givenAgendaItem(t.dataSource, meeting.id, { topic: 'Samenwerking' });
    const client = (await t.http().post('/api/v1/api-clients').set(bearer(admin)).send({ organisationId: table.organisations.POLICE, name: 'Politie BVH', scopes: ['incidents:write'] }).expect(201)).body;
    const snapshot = () => t.dataSource.query(
      `SELECT (SELECT row_to_json(u) FROM app_user u WHERE id = $1) AS u, (SELECT row_to_json(c) FROM api_client c WHERE id = $2) AS c,
              (SELECT row_to_json(i) FROM agenda_item i WHERE id = $3) AS i`,
      [chair.id, client.id, item.id],
    );
    const before = await snapshot();
    for (const [path, token, body] of [
      [`/api/v1/users/${chair.id}`, admin, { name: null }],
      [`/api/v1/users/${chair.id}`, admin, { disabled: null }],
      [`/api/v1/api-clients/${client.id}`, admin, { scopes: null }],
      [`/api/v1/agenda-items/${item.id}`, chairToken, { topic: null }],
    ] as const) {
      const res = await t.http().patch(path).set(bearer(token)).send(body);
      const problem = expectProblem(res, 400, 'invalid_input');
      expect(problem.invalidParams).toEqual([{ name: Object.keys(body)[0], reason: 'must not be null' }]);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a list where a nested object is expected, naming the item, and changes nothing (found by the load fuzz: 500)', async () => {
    const table = await givenTable(t.dataSource);
    const chair = await givenTableUser(t.dataSource, table, 'COA', 'chair');
    const token = (await login(t, chair.email)).accessToken;
    const rules = () => t.dataSource.query('SELECT kind, track, threshold, window_days, active FROM escalation_rule WHERE table_id = $1 ORDER BY kind, track', [table.id]);
    const before = await rules();
    const valid = { kind: 'severe_incident', track: 'htl_placement' };
    for (const [body, name] of [
      [{ rules: [valid, [], valid] }, 'rules.1'],
      [{ rules: [[valid]] }, 'rules.0'],
    ] as const) {
      const res = await t.http().put(`/api/v1/tables/${table.id}/escalation-rules`).set(bearer(token)).send(body);
      const problem = expectProblem(res, 400, 'invalid_input');
      expect(problem.invalidParams).toEqual(expect.arrayContaining([{ name, reason: 'must be an object, not a list' }]));
    }
    // A single nested object given as a list (class-validator would validate each element and let it through).
    const meeting = await givenMeeting(t.dataSource, table);
    const item = await givenAgendaItem(t.dataSource, meeting.id, { topic: 'Samenwerking' });
    const res = await t.http().patch(`/api/v1/agenda-items/${item.id}`).set(bearer(token)).send({ strategy: [] });
    expect(res.status).toBe(400);
    expect(await rules()).toEqual(before);
  });

  it('refuses a list over its limit before building its elements (the load fuzz: 20,000 reasons took over 5 s)', async () => {
    const table = await givenTable(t.dataSource);
    const chair = await givenTableUser(t.dataSource, table, 'COA', 'chair');
    const token = (await login(t, chair.email)).accessToken;
    const meeting = await givenMeeting(t.dataSource, table);
    const item = await givenAgendaItem(t.dataSource, meeting.id, { topic: 'Samenwerking' });
    const before = await t.dataSource.query('SELECT row_to_json(i) AS i FROM agenda_item i WHERE id = $1', [item.id]);
    // Every element is invalid too: had they been built and checked, each would be listed.
    const reasons = Array.from({ length: 20_000 }, () => ({ code: 'no_such_code', detail: 1 }));
    const res = await t.http().patch(`/api/v1/agenda-items/${item.id}`).set(bearer(token)).send({ reasons });
    const problem = expectProblem(res, 400, 'invalid_input');
    expect(problem.invalidParams).toEqual([{ name: 'reasons', reason: 'must contain no more than 20 elements' }]);
    expect(await t.dataSource.query('SELECT row_to_json(i) AS i FROM agenda_item i WHERE id = $1', [item.id])).toEqual(before);
  });

  it('still accepts null where a field may be cleared', async () => {
    const table = await givenTable(t.dataSource);
    const member = await givenTableUser(t.dataSource, table, 'COA', 'chair');
    const token = (await login(t, member.email)).accessToken;
    const c = await givenCase(t.dataSource, table);
    await t.http().patch(`/api/v1/cases/${c.id}`).set(bearer(token)).send({ reviewDate: null }).expect(200);
  });

  it('answers a body over the size limit with a 413 problem', async () => {
    const res = await t.http().post('/api/v1/organisations').set(bearer(admin)).set('Content-Type', 'application/json').send(`{"name":"${'x'.repeat(1_100_000)}"}`);
    expectProblem(res, 413, 'payload_too_large');
  });

  it('answers a too long URL parameter with a 414 problem that does not echo the path', async () => {
    const long = 'a'.repeat(5000);
    const res = await t.http().get(`/api/v1/organisations/${long}`).set(bearer(admin));
    expect([400, 404, 414]).toContain(res.status);
    expectProblem(res, res.status);
    expect(res.text).not.toContain(long);
  });

  it('answers headers over the limit with a 431 problem', async () => {
    const res = await raw(`GET /api/v1/organisations HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
    expectProblem(res, 431, 'headers_too_large');
  });

  it('answers bad percent-encoding with a 400 problem', async () => {
    const res = await raw('GET /api/v1/organisations/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const problem = expectProblem(res, 400, 'bad_url');
    expect(JSON.stringify(problem)).not.toContain('%E0');
  });

  it('answers an unsupported charset with a 415 problem', async () => {
    const res = await t.http().post('/api/v1/organisations').set(bearer(admin)).set('Content-Type', 'application/json; charset=latin1').send('{"type":"COA","name":"x"}');
    expectProblem(res, 415, 'unsupported_media_type');
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const res = await t.http().delete('/api/v1/organisations').set(bearer(admin));
    expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers.allow?.split(/,\s*/).sort()).toEqual(expect.arrayContaining(['GET', 'POST']));
  });

  it('answers malformed JSON with a 400 problem', async () => {
    expectProblem(await t.http().post('/api/v1/organisations').set(bearer(admin)).set('Content-Type', 'application/json').send('{"type":'), 400, 'invalid_json');
  });

  it('answers a doubled bearer scheme with 401', async () => {
    const res = await t.http().get('/api/v1/organisations').set('Authorization', `Bearer ${admin} Bearer ${admin}`);
    expectProblem(res, 401);
  });

  it('answers an unknown route with a 404 problem that does not echo the path', async () => {
    const res = await t.http().get('/api/v1/nothing-here-PROBE');
    expectProblem(res, 404, 'not_found');
    expect(res.text).not.toContain('PROBE');
  });
});
