import { bearer, login, startTestApp, TestApp } from './support/test-app';

const COA = 'coa@demo.ketentafel.nl';
const ADMIN = 'admin@demo.ketentafel.nl';

describe('authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_MAX_FAILURES: '3' } });
  });
  afterAll(() => t.close());

  it('logs in and identifies the caller from the access token', async () => {
    const { accessToken } = await login(t, COA);
    const me = await t.http().get('/api/v1/auth/me').set(bearer(accessToken)).expect(200);
    expect(me.body).toMatchObject({ kind: 'user', organisationType: 'COA', roles: [] });
  });

  it('rejects a wrong password with 401 and no hint which part was wrong', async () => {
    const res = await t.http().post('/api/v1/auth/login').send({ email: 'gemeente@demo.ketentafel.nl', password: 'wrong-password' }).expect(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'invalid_credentials', status: 401 });
    expect(JSON.stringify(res.body)).not.toContain('wrong-password');
  });

  it('locks the account after repeated failures, even for the right password', async () => {
    const email = 'om@demo.ketentafel.nl';
    for (let i = 0; i < 3; i++) {
      await t.http().post('/api/v1/auth/login').send({ email, password: `nope-${i}` }).expect(401);
    }
    const res = await t.http().post('/api/v1/auth/login').send({ email, password: 'Demo-Ketentafel-2026' }).expect(429);
    expect(res.body.code).toBe('too_many_failed_logins');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('rotates refresh tokens; reuse of an old one revokes the whole session', async () => {
    const first = await login(t, COA);
    const second = (await t.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await t.http().get('/api/v1/auth/me').set(bearer(second.accessToken)).expect(200);

    // The used token fails, and presenting it counts as theft: the session ends.
    const reuse = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    expect(reuse.body.code).toBe('invalid_refresh_token');
    await t.http().get('/api/v1/auth/me').set(bearer(second.accessToken)).expect(401);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
  });

  it('logout revokes the access and refresh token of that session only', async () => {
    const a = await login(t, COA);
    const b = await login(t, COA);
    await t.http().post('/api/v1/auth/logout').set(bearer(a.accessToken)).expect(204);
    await t.http().get('/api/v1/auth/me').set(bearer(a.accessToken)).expect(401);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: a.refreshToken }).expect(401);
    await t.http().get('/api/v1/auth/me').set(bearer(b.accessToken)).expect(200);
  });

  it("a disabled user's token fails at once, and they cannot log in", async () => {
    const admin = await login(t, ADMIN);
    const user = await login(t, 'ind@demo.ketentafel.nl');
    const me = (await t.http().get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(200)).body;
    await t.http().patch(`/api/v1/users/${me.id}`).set(bearer(admin.accessToken)).send({ disabled: true }).expect(200);
    await t.http().get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(401);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    await t.http().post('/api/v1/auth/login').send({ email: 'ind@demo.ketentafel.nl', password: 'Demo-Ketentafel-2026' }).expect(401);
    await t.http().patch(`/api/v1/users/${me.id}`).set(bearer(admin.accessToken)).send({ disabled: false }).expect(200);
    await login(t, 'ind@demo.ketentafel.nl');
  });

  it('changing the password revokes every session of the user', async () => {
    const email = 'dtv@demo.ketentafel.nl';
    const a = await login(t, email);
    const b = await login(t, email);
    await t.http()
      .post('/api/v1/auth/change-password')
      .set(bearer(a.accessToken))
      .send({ currentPassword: 'Demo-Ketentafel-2026', newPassword: 'A-much-longer-new-passphrase' })
      .expect(204);
    await t.http().get('/api/v1/auth/me').set(bearer(a.accessToken)).expect(401);
    await t.http().get('/api/v1/auth/me').set(bearer(b.accessToken)).expect(401);
    await login(t, email, 'A-much-longer-new-passphrase');
  });

  it('rejects tokens that are forged, expired in form, or signed with another algorithm', async () => {
    const { accessToken } = await login(t, COA);
    const [header, payload] = accessToken.split('.');
    const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    for (const token of [`${header}.${payload}.invalidsignature`, noneAlg, 'not-a-jwt']) {
      await t.http().get('/api/v1/auth/me').set(bearer(token)).expect(401);
    }
  });

  it('invites a user who sets a first password once', async () => {
    const admin = await login(t, ADMIN);
    const orgs = (await t.http().get('/api/v1/organisations?limit=100').set(bearer(admin.accessToken)).expect(200)).body.items;
    const police = orgs.find((o: { type: string }) => o.type === 'POLICE');
    const created = await t.http()
      .post('/api/v1/users')
      .set(bearer(admin.accessToken))
      .send({ organisationId: police.id, name: 'Nieuwe agent', email: 'nieuw@politie.example' })
      .expect(201);
    expect(created.body).toMatchObject({ hasPassword: false });
    expect(created.body.inviteToken).toBeTruthy();
    const body = { inviteToken: created.body.inviteToken, password: 'Invited-user-passphrase' };
    await t.http().post('/api/v1/auth/accept-invitation').send(body).expect(204);
    await t.http().post('/api/v1/auth/accept-invitation').send(body).expect(400);
    await login(t, 'nieuw@politie.example', 'Invited-user-passphrase');
  });
});
