import { amsterdamDate, workingDaysBetween } from '../src/common/working-days';
import { givenAction, givenCase, givenTable, GivenTable, givenTableUser } from './support/factories';
import { bearer, login, startTestApp, TestApp, partnerToken } from './support/test-app';

/** A calendar date `days` from `date`. */
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('actions between meetings', () => {
  let t: TestApp;
  let table: GivenTable;
  let other: GivenTable;
  const today = amsterdamDate(new Date());
  const token = { police: '', coa: '', otherPolice: '', admin: '' };
  const a = { police: '', coa: '', yesterday: '', today: '', christmasEve: '', sundayAfter: '', friday: '', monday: '', doneLongAgo: '', elsewhere: '' };

  const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);
  const count = async (sql: string, params: unknown[] = []) => (await q(`SELECT count(*)::int AS n ${sql}`, params))[0].n as number;
  const get = (path: string, who: string) => t.http().get(`/api/v1${path}`).set(bearer(who));
  const post = (path: string, who: string, body: object) => t.http().post(`/api/v1${path}`).set(bearer(who)).send(body);
  const ids = (body: { items: { id: string }[] }) => body.items.map((i) => i.id);

  const clientToken = (scopes: string[], organisationId = table.organisations.POLICE!) => partnerToken(t, token.admin, organisationId, scopes);


  beforeAll(async () => {
    t = await startTestApp();
    table = await givenTable(t.dataSource);
    other = await givenTable(t.dataSource, { memberTypes: ['COA', 'POLICE'] });
    const c = await givenCase(t.dataSource, table);
    const { POLICE, COA } = table.organisations as Required<GivenTable['organisations']>;
    token.police = (await login(t, (await givenTableUser(t.dataSource, table, 'POLICE')).email)).accessToken;
    token.coa = (await login(t, (await givenTableUser(t.dataSource, table, 'COA')).email)).accessToken;
    token.otherPolice = (await login(t, (await givenTableUser(t.dataSource, other, 'POLICE')).email)).accessToken;
    token.admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
    const add = async (owner: string, dueDate: string, status: 'open' | 'done' = 'open') => (await givenAction(t.dataSource, c.id, owner, { dueDate, status })).id;
    a.police = await add(POLICE, shift(today, 7));
    a.coa = await add(COA, shift(today, 7));
    a.yesterday = await add(POLICE, shift(today, -1));
    a.today = await add(POLICE, today);
    // Wednesday 24 December 2025, then Christmas, Boxing Day and a weekend: no working day in between.
    a.christmasEve = await add(COA, '2025-12-24');
    a.sundayAfter = await add(COA, '2025-12-28');
    // Friday 9 and Monday 12 January 2026: one working day apart.
    a.friday = await add(COA, '2026-01-09');
    a.monday = await add(COA, '2026-01-12');
    a.doneLongAgo = await add(POLICE, '2025-12-01', 'done');
    a.elsewhere = (await givenAction(t.dataSource, (await givenCase(t.dataSource, other)).id, other.organisations.POLICE!, { dueDate: shift(today, 3) })).id;
  });
  afterAll(() => t.close());

  describe('people', () => {
    it('lets a member of the owner organisation complete the action; another member organisation gets 403', async () => {
      const refused = await post(`/actions/${a.police}/_complete`, token.coa, { resultNote: 'Gedaan' }).expect(403);
      expect(refused.body.code).toBe('not_owner_organisation');
      expect((await q(`SELECT status FROM action WHERE id = $1`, [a.police]))[0].status).toBe('open');

      const logged = await count(`FROM processing_log WHERE operation_name = 'action.complete'`);
      const res = await post(`/actions/${a.police}/_complete`, token.police, { resultNote: 'Stopgesprek gevoerd' }).expect(200);
      expect(res.body).toMatchObject({ id: a.police, status: 'done', resultNote: 'Stopgesprek gevoerd', overdue: false, tableId: table.id });
      expect(Date.parse(res.body.completedAt)).toBeGreaterThan(Date.now() - 60_000);
      const [event] = await q(`SELECT payload FROM domain_event WHERE type = 'action.completed' AND aggregate_id = $1`, [a.police]);
      expect(event.payload).toMatchObject({ actionId: a.police, ownerOrganisationId: table.organisations.POLICE });
      expect(await count(`FROM processing_log WHERE operation_name = 'action.complete'`)).toBe(logged + 1);

      const again = await post(`/actions/${a.police}/_complete`, token.police, { resultNote: 'Nogmaals' }).expect(409);
      expect(again.body).toMatchObject({ code: 'action_not_open', actionStatus: 'done' });
      const invalid = await post(`/actions/${a.yesterday}/_complete`, token.police, { resultNote: '' }).expect(400);
      expect(invalid.body.invalidParams).toEqual([{ name: 'resultNote', reason: expect.any(String) }]);
    });

    it('stores a request to re-plan for the table to decide; the due date itself stays', async () => {
      const proposed = shift(today, 10);
      await post(`/actions/${a.yesterday}/_replan`, token.coa, { proposedDueDate: proposed, reason: 'Onbekend' }).expect(403);
      const past = await post(`/actions/${a.yesterday}/_replan`, token.police, { proposedDueDate: shift(today, -2), reason: 'Te laat' }).expect(400);
      expect(past.body.invalidParams).toEqual([{ name: 'proposedDueDate', reason: expect.any(String) }]);
      const res = await post(`/actions/${a.yesterday}/_replan`, token.police, { proposedDueDate: proposed, reason: 'Persoon is overgeplaatst' }).expect(200);
      expect(res.body).toMatchObject({ dueDate: shift(today, -1), status: 'open', replanRequestedDueDate: proposed, replanReason: 'Persoon is overgeplaatst' });
      expect(res.body.replanRequestedAt).toEqual(expect.any(String));
      expect(await count(`FROM domain_event WHERE type = 'action.replan_requested' AND aggregate_id = $1`, [a.yesterday])).toBe(1);
    });

    it('derives overdue: open and due before today (Europe/Amsterdam), counted in working days', async () => {
      const view = async (id: string) => (await get(`/actions/${id}`, token.police).expect(200)).body;
      expect(await view(a.yesterday)).toMatchObject({ overdue: true, workingDaysOverdue: workingDaysBetween(shift(today, -1), today) });
      expect(await view(a.today)).toMatchObject({ overdue: false, workingDaysOverdue: 0 });
      expect(await view(a.doneLongAgo)).toMatchObject({ overdue: false, workingDaysOverdue: 0 });

      const [eve, sunday, friday, monday] = await Promise.all([a.christmasEve, a.sundayAfter, a.friday, a.monday].map(view));
      for (const v of [eve, sunday, friday, monday]) expect(v.overdue).toBe(true);
      // Four calendar days, but two public holidays and a weekend: the same number of working days overdue.
      expect(eve.workingDaysOverdue).toBe(sunday.workingDaysOverdue);
      expect(friday.workingDaysOverdue - monday.workingDaysOverdue).toBe(1);
      expect(eve.workingDaysOverdue).toBe(workingDaysBetween('2025-12-24', today));
      expect(eve.workingDaysOverdue).toBeLessThan((Date.parse(today) - Date.parse('2025-12-24')) / 86_400_000);

      const overdue = await get(`/actions?tableId=${table.id}&overdue=true&limit=100`, token.police).expect(200);
      expect(ids(overdue.body).sort()).toEqual([a.yesterday, a.christmasEve, a.sundayAfter, a.friday, a.monday].sort());
      const notOverdue = await get(`/actions?tableId=${table.id}&overdue=false&status=open`, token.police).expect(200);
      expect(ids(notOverdue.body).sort()).toEqual([a.coa, a.today].sort());
    });

    it("lists only the actions of cases at the caller's tables, a page at a time, and logs each read", async () => {
      const logged = await count(`FROM processing_log WHERE operation_name = 'action.list' AND table_id = $1`, [table.id]);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: { id: string; dueDate: string }[]; nextCursor: string | null } } = await get(
          `/actions?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
          token.police,
        ).expect(200);
        seen.push(...ids(res.body));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual(Object.entries(a).filter(([k]) => k !== 'elsewhere').map(([, id]) => id).sort());
      expect(await count(`FROM processing_log WHERE operation_name = 'action.list' AND table_id = $1`, [table.id])).toBeGreaterThan(logged);

      await get(`/actions/${a.elsewhere}`, token.police).expect(404);
      await get(`/actions?tableId=${other.id}`, token.police).expect(404);
      expect(ids((await get('/actions', token.otherPolice).expect(200)).body)).toEqual([a.elsewhere]);
      await get(`/actions/${a.coa}`, token.otherPolice).expect(404);
      expect((await get('/actions?cursor=bogus', token.police).expect(400)).body.invalidParams).toEqual([{ name: 'cursor', reason: expect.any(String) }]);
      expect((await get('/actions?overdue=maybe&status=lost', token.police).expect(400)).body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual([
        'overdue',
        'status',
      ]);
    });
  });

  describe('partner systems', () => {
    it("with actions:read see only their own organisation's actions, and 404 on another's", async () => {
      const reader = await clientToken(['actions:read']);
      const list = await get('/actions?limit=100', reader).expect(200);
      expect(ids(list.body).sort()).toEqual([a.police, a.yesterday, a.today, a.doneLongAgo].sort());
      expect(list.body.items.every((i: { ownerOrganisationId: string }) => i.ownerOrganisationId === table.organisations.POLICE)).toBe(true);
      expect((await get(`/actions?ownerOrganisationId=${table.organisations.COA}`, reader).expect(200)).body.items).toEqual([]);
      await get(`/actions/${a.coa}`, reader).expect(404);
      await get(`/actions/${a.elsewhere}`, reader).expect(404);
      expect((await get(`/actions/${a.today}`, reader).expect(200)).body).toMatchObject({ id: a.today, description: 'Test action' });
      const [entry] = await q(`SELECT api_client_id FROM processing_log WHERE operation_name = 'action.read' ORDER BY id DESC LIMIT 1`);
      expect(entry.api_client_id).not.toBeNull();
    });

    it('with actions:write complete their own action; without the scope they get 403', async () => {
      const writer = await clientToken(['actions:write']);
      const res = await post(`/actions/${a.today}/_complete`, writer, { resultNote: 'Afgehandeld in BVH' }).expect(200);
      expect(res.body).toMatchObject({ status: 'done', resultNote: 'Afgehandeld in BVH' });
      await post(`/actions/${a.coa}/_complete`, writer, { resultNote: 'Niet van ons' }).expect(404);
      expect((await q(`SELECT status FROM action WHERE id = $1`, [a.coa]))[0].status).toBe('open');

      const reader = await clientToken(['actions:read']);
      expect((await post(`/actions/${a.yesterday}/_complete`, reader, { resultNote: 'x' }).expect(403)).body.code).toBe('permission_denied');
      const pusher = await clientToken(['incidents:write']);
      await get('/actions', pusher).expect(403);
      await get(`/actions/${a.yesterday}`, writer).expect(403);
      expect((await q(`SELECT status FROM action WHERE id = $1`, [a.yesterday]))[0].status).toBe('open');
    });
  });
});
