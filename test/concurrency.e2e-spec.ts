import { Client } from 'pg';
import { givenAction, givenCase, givenMeeting, givenSubject, givenTable, GivenTable, givenTableUser, randomVNumber } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

const API = '/api/v1';

/** Writes that arrive at the same time, or twice, as partner systems and flaky networks send them. */
describe('concurrent and repeated writes', () => {
  let t: TestApp;
  let tables: GivenTable[];
  const tokens: string[] = [];

  const sql = (text: string, params: unknown[] = []) => t.dataSource.query(text, params);
  const count = async (text: string, params: unknown[] = []) => Number((await sql(`SELECT count(*) AS n ${text}`, params))[0].n);

  beforeAll(async () => {
    // Larger than the default test pool: eight imports at once must not wait for a connection.
    t = await startTestApp({ seed: false, env: { DB_POOL_SIZE: '12' } });
    tables = [await givenTable(t.dataSource), await givenTable(t.dataSource)];
    for (const table of tables) {
      await givenMeeting(t.dataSource, table);
      for (const type of ['DTV', 'COA', 'POLICE', 'IND'] as const) tokens.push((await login(t, (await givenTableUser(t.dataSource, table, type)).email)).accessToken);
    }
  });
  afterAll(() => t.close());

  it('runs 8 overlapping list imports at once on two tables: all succeed, nobody and nothing twice', async () => {
    const people = [...new Set(Array.from({ length: 400 }, () => randomVNumber()))];
    // Some people already have an open case at the first table; the rest are new everywhere.
    for (const vNumber of people.slice(0, 5)) await givenCase(t.dataSource, tables[0], { subjectId: (await givenSubject(t.dataSource, { vNumber })).id });
    // Each list holds an overlapping window of the people, in its own order, so their rows are met in different orders.
    const lists = tokens.map((_, i) => {
      const window = people.slice(i * 25, i * 25 + 200);
      return i % 2 ? window.reverse() : [...window.slice(100), ...window.slice(0, 100)];
    });
    const started = Date.now();
    const answers = await Promise.all(
      tokens.map((token, i) =>
        t.http()
          .post(`${API}/tables/${tables[Math.floor(i / 4)].id}/lists`)
          .set(bearer(token))
          .send({ kind: 'top_x', lines: lists[i].map((vNumber) => ({ vNumber, familyName: 'Lijst' })) }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(Date.now() - started).toBeLessThan(10_000);

    const listed = [...new Set(lists.flat())];
    expect(await count(`FROM subject WHERE v_number = ANY($1)`, [listed])).toBe(listed.length);
    for (const [n, table] of tables.entries()) {
      const here = [...new Set(lists.slice(n * 4, n * 4 + 4).flat())];
      // One open case per person at each table, and one list nomination per case for the meeting.
      const perPerson = await sql(
        `SELECT s.v_number, count(c.id)::int AS cases FROM subject s LEFT JOIN case_file c ON c.subject_id = s.id AND c.table_id = $1
          WHERE s.v_number = ANY($2) GROUP BY s.v_number`,
        [table.id, here],
      );
      expect(perPerson).toHaveLength(here.length);
      expect(perPerson.filter((r: { cases: number }) => r.cases !== 1)).toEqual([]);
      const nominations = await sql(`SELECT case_id, count(*)::int AS n FROM nomination WHERE table_id = $1 AND source = 'list' GROUP BY case_id`, [table.id]);
      expect(nominations).toHaveLength(here.length);
      expect(nominations.filter((r: { n: number }) => r.n !== 1)).toEqual([]);
      expect(await count(`FROM list_import WHERE table_id = $1`, [table.id])).toBe(4);
      // Reported as opened exactly once per case.
      const opened = answers.slice(n * 4, n * 4 + 4).reduce((sum, a) => sum + a.body.counts.casesOpened, 0);
      expect(opened).toBe(here.length - (n === 0 ? here.filter((v) => people.slice(0, 5).includes(v)).length : 0));
    }
  });

  it("waits for an import of its table ahead of it longer than a request's lock timeout, then takes its list (no 503)", async () => {
    const table = tables[1];
    // Another import (here: an outside session) holds the table lock for 3 s, beyond the 2 s DB_LOCK_TIMEOUT_MS.
    const holder = new Client({ connectionString: t.config.MIGRATION_DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM chain_table WHERE id = $1 FOR NO KEY UPDATE', [table.id]);
      const release = new Promise<void>((resolve) => setTimeout(() => void holder.query('COMMIT').then(() => resolve()), 3000));
      const res = await t.http().post(`${API}/tables/${table.id}/lists`).set(bearer(tokens[4])).send({ kind: 'top_x', lines: [{ vNumber: randomVNumber(), familyName: 'Lijst' }] });
      await release;
      expect(res.status).toBe(201);
    } finally {
      await holder.end();
    }
  });

  it('answers a repeated completion of an action with the same result 200 and the same body; another result stays 409', async () => {
    const table = tables[0];
    const c = await givenCase(t.dataSource, table);
    const action = (await givenAction(t.dataSource, c.id, table.organisations.POLICE!)).id;
    const police = tokens[2];
    const complete = (resultNote: string) => t.http().post(`${API}/actions/${action}/_complete`).set(bearer(police)).send({ resultNote });

    const first = await complete('Stopgesprek gevoerd').expect(200);
    const events = await count(`FROM domain_event WHERE type = 'action.completed' AND aggregate_id = $1`, [action]);
    const again = await complete('Stopgesprek gevoerd').expect(200);
    expect(again.body).toEqual(first.body);
    // The repeat changes nothing and notifies nobody again.
    expect(await count(`FROM domain_event WHERE type = 'action.completed' AND aggregate_id = $1`, [action])).toBe(events);

    const other = await complete('Iets anders').expect(409);
    expect(other.body).toMatchObject({ code: 'action_not_open', actionStatus: 'done' });
  });

  it('completes an action sent twice at the same moment once: both 200 with the same body, one event', async () => {
    const table = tables[0];
    const action = (await givenAction(t.dataSource, (await givenCase(t.dataSource, table)).id, table.organisations.POLICE!)).id;
    const send = () => t.http().post(`${API}/actions/${action}/_complete`).set(bearer(tokens[2])).send({ resultNote: 'Gedaan' });
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toEqual(b.body);
    expect(await count(`FROM domain_event WHERE type = 'action.completed' AND aggregate_id = $1`, [action])).toBe(1);
  });
});
