import { encodeCursor } from '../src/common/pagination';
import { givenAction, givenCase, givenEscalation, givenIncident, givenMeasure, givenTable, GivenTable, givenTableUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

/**
 * Every collection of a case is a page (issue 12, "Lists"): `{ items, nextCursor }`, `limit` and `cursor`, a
 * `Link` header to the next page; walked one item at a time it gives what one page of 100 gives, none twice.
 * Also: /actions sorted by due date both ways.
 */
describe('paged case collections', () => {
  let t: TestApp;
  let table: GivenTable;
  let caseId: string;
  let token: string;
  const get = (path: string) => t.http().get(`/api/v1${path}`).set(bearer(token));

  async function walk(path: string): Promise<string[]> {
    const seen: string[] = [];
    let next: string | undefined = `${path}${path.includes('?') ? '&' : '?'}limit=1`;
    for (let pages = 0; next && pages < 50; pages++) {
      const res = await t.http().get(next).set(bearer(token)).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
      expect(res.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      const link = res.headers.link as string | undefined;
      expect(Boolean(link)).toBe(res.body.nextCursor !== null);
      next = link ? `${link.match(/^<([^>]+)>; rel="next"$/)![1]}` : undefined;
    }
    return seen;
  }

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    table = await givenTable(t.dataSource);
    const police = await givenTableUser(t.dataSource, table, 'POLICE');
    token = (await login(t, police.email)).accessToken;
    caseId = (await givenCase(t.dataSource, table)).id;
    const POLICE = table.organisations.POLICE!;
    for (let i = 0; i < 3; i++) {
      await givenIncident(t.dataSource, caseId, POLICE, { classification: i % 2 ? 'offence' : 'nuisance' });
      await givenMeasure(t.dataSource, caseId, POLICE);
      await givenEscalation(t.dataSource, caseId, table.organisations.COA!);
      await t.dataSource.query(`INSERT INTO case_strategy (case_id, revision, kind, text) VALUES ($1, $2, 'other', 'Plan')`, [caseId, i + 1]);
      await t.dataSource.query(
        `INSERT INTO ind_decision (case_id, outcome, decided_on, recorded_by_organisation_id) VALUES ($1, 'negative', $2, $3)`,
        [caseId, `2026-01-0${i + 1}`, table.organisations.IND ?? POLICE],
      );
    }
    // Two incidents at the same moment: the keyset's tie-break (id) keeps both, once each.
    await t.dataSource.query(`UPDATE incident SET occurred_at = '2026-02-01T10:00:00.123456Z' WHERE case_id = $1 AND classification = 'nuisance'`, [caseId]);
  });
  afterAll(() => t?.close());

  it.each(['strategies', 'ind-decisions', 'incidents', 'measures', 'escalations'])('pages /cases/{id}/%s: one at a time equals one page of 100', async (what) => {
    const whole = await get(`/cases/${caseId}/${what}?limit=100`).expect(200);
    expect(whole.body.nextCursor).toBeNull();
    expect(whole.headers.link).toBeUndefined();
    expect(whole.body.items).toHaveLength(3);
    const ids = whole.body.items.map((i: { id: string }) => i.id);
    expect(await walk(`/api/v1/cases/${caseId}/${what}`)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(['strategies', 'ind-decisions', 'incidents', 'measures', 'escalations'])('refuses a forged cursor and a limit out of range on /cases/{id}/%s with 400', async (what) => {
    for (const query of [`cursor=${encodeCursor(['x', 'y'])}`, 'cursor=%%%', 'limit=0', 'limit=101']) {
      const res = await get(`/cases/${caseId}/${what}?${query}`).expect(400);
      expect(res.body.invalidParams).toEqual([expect.objectContaining({ name: query.split('=')[0] })]);
    }
  });

  it('sorts /actions by due date both ways, paging each way through the same actions', async () => {
    const POLICE = table.organisations.POLICE!;
    for (const dueDate of ['2026-03-01', '2026-03-02', '2026-03-02', '2026-03-05']) await givenAction(t.dataSource, caseId, POLICE, { dueDate });
    const up = await walk(`/api/v1/actions?tableId=${table.id}&sort=dueDate`);
    const down = await walk(`/api/v1/actions?tableId=${table.id}&sort=-dueDate`);
    expect(up).toHaveLength(4);
    expect(down).toEqual([...up].reverse());
    const first = await get(`/actions?tableId=${table.id}&sort=dueDate&limit=1`).expect(200);
    const crossed = await get(`/actions?tableId=${table.id}&sort=-dueDate&cursor=${first.body.nextCursor}`).expect(400);
    expect(crossed.body.invalidParams).toEqual([expect.objectContaining({ name: 'cursor' })]);
    expect((await get(`/actions?sort=owner`).expect(400)).body.invalidParams).toEqual([expect.objectContaining({ name: 'sort' })]);
  });
});
