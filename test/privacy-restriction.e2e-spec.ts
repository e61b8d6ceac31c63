import type { Response } from 'supertest';
import { GlobalRole, PERMISSIONS, TableRole } from '../src/auth/permissions';
import { givenOrganisation, givenUser } from './support/factories';
import { buildFullFixture, FullFixture, givenProbedCase, probe, Viewer } from './support/full-fixture';
import { pdfText } from './support/pdf-text';
import { collectRoutes, RouteInfo, routeKey } from './support/routes';
import { expand, NOT_WALKED, WriteRun, WRITES } from './support/route-walk';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

/**
 * Restriction of processing (art. 18 AVG, issue 10) over every route the disclosure walk knows
 * (test/support/route-walk.ts): a route added later is walked here too. The full fixture's main person is
 * restricted; every GET route is called as a member of the table (the chair where only the chair may), before,
 * during and after the restriction, and every write route that answers with case data is run with fresh
 * restricted cases. While restricted, no answer may hold anything of the person, a route about one of their
 * records answers 409 `subject_restricted` and nothing else, no write changes their data, and a write naming
 * one of their records is refused. Lifting restores every answer as it was.
 */

const API = '/api/v1';
const PDF = 'application/pdf';
type Json = Record<string, unknown>;

const binary = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};
const compact = (s: string) => s.replace(/\s+/g, '');

/** The fixture's labels for path values that are records of the main case (route-walk.ts RESOURCES). */
const MAIN_CASE_RECORD = /^(case|incident=\w+|measure#\d+|action#\d+|escalation#\d+|deadline#\d+|strategy#\d+|item=\w+)$/;

interface Answer {
  status: number;
  text: string;
  json?: Json;
}

describe('restriction of processing over every walked route: blocks reads and writes, lifts cleanly', () => {
  let t: TestApp;
  let f: FullFixture;
  let viewer: Viewer;
  let officer: string;
  let gets: RouteInfo[];
  let writes: RouteInfo[];
  /** Values only the main person's records hold. */
  let markers: string[];
  /** Values of the fresh cases of the write runs (route-walk's givenProbedCase); only those of a restricted run count. */
  const scratchMarkers = [probe('identity', 'scratch-family'), probe('care', 'scratch'), probe('criminal', 'scratch'), probe('deliberation', 'scratch-strategy')];
  const restrictedSubjects: { id: string; vNumber: string }[] = [];

  const http = () => t.http();
  const q = <T = Json>(sql: string, params: unknown[] = []): Promise<T[]> => t.dataSource.query(sql, params);
  const chairOnly = (route: RouteInfo) => {
    const roles = route.auth && !route.auth.public ? PERMISSIONS[route.auth.permission].tableRoles : undefined;
    return !!roles && !roles.includes(TableRole.Member);
  };
  const tokenFor = (route: RouteInfo) => (route.auth?.public ? undefined : viewer[chairOnly(route) ? 'chair' : 'member'].token);

  async function call(method: string, path: string, token: string | undefined, body?: object, accept?: string): Promise<Answer> {
    let req = http()[method.toLowerCase() as 'get'](path);
    if (token) req = req.set(bearer(token));
    if (accept) req = req.set('Accept', accept).buffer(true).parse(binary);
    const res = await (body === undefined ? req : req.send(body));
    const type = String(res.headers['content-type'] ?? '');
    const text = accept === PDF && type.startsWith(PDF) ? pdfText(res.body as Buffer).text : (res.text ?? '');
    return { status: res.status, text, json: /json/.test(type) && text ? JSON.parse(text) : undefined };
  }

  const leaks = (text: string, among = markers) => among.filter((m) => text.includes(m) || compact(text).includes(compact(m)));

  async function restrict(vNumber: string) {
    const res = await http().post(`${API}/privacy/restrictions`).set(bearer(officer)).send({ vNumber, reference: 'AVG-R-1', reason: 'Juistheid betwist.' });
    expect(res.status).toBe(201);
  }
  async function lift(vNumber: string) {
    const res = await http().post(`${API}/privacy/restrictions/_lift`).set(bearer(officer)).send({ vNumber, reference: 'AVG-R-2', reason: 'Juistheid vastgesteld.' });
    expect(res.status).toBe(200);
  }

  /** Every walked GET path (with PDF where a route offers it), answered for the fixture's COA member or chair. */
  async function walk(): Promise<Map<string, Answer & { record: boolean }>> {
    const out = new Map<string, Answer & { record: boolean }>();
    for (const route of gets) {
      for (const { label, value } of expand(route.path, f, viewer)) {
        for (const accept of [undefined, ...route.produces.filter((p) => p === PDF)]) {
          const where = `${routeKey(route)} [${label}]${accept ? ' (PDF)' : ''}`;
          const record = label.split(' ').some((l) => MAIN_CASE_RECORD.test(l));
          out.set(where, { ...(await call('GET', value, tokenFor(route), undefined, accept)), record });
        }
      }
    }
    return out;
  }

  /**
   * Everything stored about the restricted people's cases, as one fingerprint per table: a write that changed
   * any of it processed their data.
   */
  async function fingerprint(): Promise<string> {
    const subjects = restrictedSubjects.map((s) => s.id);
    const cases = `SELECT id FROM case_file WHERE subject_id = ANY($1::uuid[])`;
    const tables: Record<string, string> = {
      subject: `SELECT * FROM subject WHERE id = ANY($1::uuid[])`,
      case_file: `SELECT * FROM case_file WHERE subject_id = ANY($1::uuid[])`,
      ...Object.fromEntries(
        ['incident', 'measure', 'action', 'escalation', 'case_deadline', 'case_strategy', 'case_status_change', 'case_transfer', 'ind_decision', 'nomination', 'agenda_item'].map(
          (tbl) => [tbl, `SELECT * FROM ${tbl} WHERE case_id IN (${cases})`],
        ),
      ),
      action_review: `SELECT * FROM action_review WHERE action_id IN (SELECT id FROM action WHERE case_id IN (${cases}))`,
      escalation_event: `SELECT * FROM escalation_event WHERE escalation_id IN (SELECT id FROM escalation WHERE case_id IN (${cases}))`,
      minutes_addendum: `SELECT * FROM minutes_addendum WHERE agenda_item_id IN (SELECT id FROM agenda_item WHERE case_id IN (${cases}))`,
    };
    const parts: string[] = [];
    for (const [name, sql] of Object.entries(tables)) {
      const [{ h }] = await q<{ h: string }>(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM (${sql}) x`, [subjects]);
      parts.push(`${name}:${h}`);
    }
    return parts.join(' ');
  }

  /** Ids and references of every record of the restricted people's cases: a write naming one touches them. */
  async function restrictedKeys(): Promise<Set<string>> {
    const subjects = restrictedSubjects.map((s) => s.id);
    const rows = await q<{ k: string }>(
      `WITH c AS (SELECT id, reference FROM case_file WHERE subject_id = ANY($1::uuid[]))
       SELECT id::text AS k FROM c UNION SELECT reference FROM c
       UNION SELECT id::text FROM incident WHERE case_id IN (SELECT id FROM c)
       UNION SELECT id::text FROM measure WHERE case_id IN (SELECT id FROM c)
       UNION SELECT id::text FROM action WHERE case_id IN (SELECT id FROM c)
       UNION SELECT id::text FROM escalation WHERE case_id IN (SELECT id FROM c)
       UNION SELECT id::text FROM case_deadline WHERE case_id IN (SELECT id FROM c)
       UNION SELECT id::text FROM agenda_item WHERE case_id IN (SELECT id FROM c)`,
      [subjects],
    );
    return new Set(rows.map((r) => r.k));
  }

  /** Runs every write route once; `restricted` makes each run's fresh case a restricted person's. */
  async function runWrites(restricted: boolean): Promise<Map<string, { status: number; code?: string; text: string; touches: boolean; changed: boolean }>> {
    const out = new Map<string, { status: number; code?: string; text: string; touches: boolean; changed: boolean }>();
    let scratch: Promise<{ id: string; reference: string; vNumber: string }> | undefined;
    let n = 0;
    const w: WriteRun = {
      f,
      viewer,
      pick: (options) => options[n++ % options.length],
      scratch: () =>
        (scratch ??= givenProbedCase(f).then(async (c) => {
          if (restricted) {
            await restrict(c.vNumber);
            restrictedSubjects.push({ id: (await q<{ subject_id: string }>(`SELECT subject_id FROM case_file WHERE id = $1`, [c.id]))[0].subject_id, vNumber: c.vNumber });
          }
          return c;
        })),
    };
    for (const [id, build] of Object.entries(WRITES)) {
      const route = writes.find((r) => routeKey(r) === id);
      if (!route) continue;
      const { path, body } = await build(w);
      const keys = await restrictedKeys();
      const request = `${path} ${JSON.stringify(body ?? {})}`;
      const touches = [...keys].some((k) => request.includes(k));
      const before = await fingerprint();
      const answer = await call(route.method, `${API}${path}`, viewer[chairOnly(route) ? 'chair' : 'member'].token, body ?? {});
      out.set(id, { status: answer.status, code: answer.json?.code as string | undefined, text: answer.text, touches, changed: (await fingerprint()) !== before });
    }
    return out;
  }

  let before: Map<string, Answer & { record: boolean }>;
  let writesBefore: Awaited<ReturnType<typeof runWrites>>;

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    f = await buildFullFixture(t);
    viewer = f.viewers.COA;
    const administration = await givenOrganisation(t.dataSource, 'ADMINISTRATION');
    officer = (await login(t, (await givenUser(t.dataSource, administration, [GlobalRole.PrivacyOfficer])).email)).accessToken;
    const routes = collectRoutes(t);
    gets = routes.filter((r) => r.method === 'GET' && !(routeKey(r) in NOT_WALKED));
    writes = routes.filter((r) => r.method !== 'GET');
    const [main] = await q<{ id: string }>(`SELECT subject_id AS id FROM case_file WHERE id = $1`, [f.caseId]);
    restrictedSubjects.push({ id: main.id, vNumber: f.vNumber });
    markers = [
      f.vNumber,
      ...['family', 'given'].map((x) => probe('identity', x)),
      probe('residence', 'location'),
      probe('residence', 'transfer'),
      probe('procedure', 'stage'),
      probe('care', 'notes'),
      ...['before', 'after'].flatMap((b) => [probe('criminal', `description-${b}`), probe('criminal', `place-${b}`), probe('incidents', `description-${b}`)]),
      probe('measures', 'area-ban'),
      probe('measures', 'session-measure-area_ban'),
      probe('criminal', 'session-measure-zsm_settlement'),
      probe('return', 'deadline-departure_period_end'),
      ...['first-strategy', 'status-reason', 'overdue-action', 'due-action', 'action-POLICE', 'decision-closed', 'decision-session', 'escalation-closed', 'review-closed', 'nomination', 'addendum', 'result', 'replan', 'escalation-request'].map(
        (x) => probe('deliberation', x),
      ),
      // The fresh cases of the write runs (route-walk's givenProbedCase).
      probe('identity', 'scratch-family'),
      probe('care', 'scratch'),
      probe('criminal', 'scratch'),
      probe('deliberation', 'scratch-strategy'),
    ];
    // The writes first: they overwrite some of the fixture's values, and the walks compare what the views show.
    writesBefore = await runWrites(false);
    before = await walk();
  }, 300_000);
  afterAll(() => t?.close());

  it('can see a leak: unrestricted, the main person is in many answers, and their records answer 2xx', () => {
    const holding = [...before].filter(([, a]) => a.status < 300 && leaks(a.text).length);
    expect(holding.length).toBeGreaterThan(15);
    const records = [...before].filter(([, a]) => a.record);
    expect(records.length).toBeGreaterThan(10);
    expect(records.filter(([, a]) => a.status >= 300).map(([w, a]) => `${w}: ${a.status}`)).toEqual([]);
  });

  it('while restricted: no answer of any walked route holds anything of the person; their records answer 409 subject_restricted and no more', async () => {
    await restrict(f.vNumber);
    const during = await walk();
    expect(during.size).toBe(before.size);
    const findings: string[] = [];
    for (const [where, a] of during) {
      const was = before.get(where)!;
      if (a.status >= 500) findings.push(`${where}: answered ${a.status}`);
      for (const m of leaks(a.text)) findings.push(`${where}: holds ${m}`);
      if (a.status === 409 && was.status !== 409 && a.json) {
        const { code, ...rest } = a.json;
        if (code !== 'subject_restricted') findings.push(`${where}: 409 ${String(code)}`);
        const extra = Object.keys(rest).filter((k) => !['type', 'title', 'status', 'detail', 'instance'].includes(k));
        if (extra.length) findings.push(`${where}: the refusal says more (${extra.join(', ')})`);
      }
      if (was.record && was.status < 300 && !(a.status === 409 && a.json?.code === 'subject_restricted')) findings.push(`${where}: a record of the person answered ${a.status}, not 409 subject_restricted`);
      if (!was.record && was.status < 300 && a.status >= 300) findings.push(`${where}: a view answered ${a.status} instead of leaving the person out (${a.text.slice(0, 160)})`);
    }
    expect(findings).toEqual([]);
    // The case list, agenda, session and minutes show the case as restricted, with no more than its reference.
    const list = during.get(`GET /api/v1/tables/:tableId/cases [table]`)!.json as { items: Json[] };
    expect(list.items.find((i) => i.id === f.caseId)).toEqual({ id: f.caseId, tableId: f.table.id, reference: f.caseReference, restricted: true });
    const minutes = during.get(`GET /api/v1/meetings/:id/minutes [meeting=closed]`)!.json as { items: Json[] };
    expect(minutes.items.find((i) => (i.case as Json | undefined)?.id === f.caseId)).toEqual({
      agendaItemId: f.caseItems.closed,
      position: expect.any(Number),
      case: { id: f.caseId, reference: f.caseReference, restricted: true },
      reasons: [],
      measures: [],
    });
  }, 120_000);

  it('while restricted: no write processes the person, and a write naming any record of theirs is refused with 409 subject_restricted', async () => {
    const during = await runWrites(true);
    const findings: string[] = [];
    for (const [id, a] of during) {
      if (a.status >= 500) findings.push(`${id}: answered ${a.status}`);
      for (const m of leaks(a.text, [...markers, ...scratchMarkers])) findings.push(`${id}: holds ${m}`);
      if (a.changed) findings.push(`${id}: changed the restricted person's data (answered ${a.status})`);
      if (a.touches && !(a.status === 409 && a.code === 'subject_restricted')) findings.push(`${id}: named a restricted record and answered ${a.status} ${a.code ?? ''}`);
    }
    expect(findings).toEqual([]);
    const refused = [...during].filter(([, a]) => a.code === 'subject_restricted').map(([id]) => id);
    expect(refused.length).toBeGreaterThan(20);
    // A list naming the person skips their line; a search for them finds nothing.
    expect(JSON.parse(during.get('POST /api/v1/tables/:tableId/lists')!.text).lines[0]).toEqual({ line: 1, outcome: 'restricted' });
    expect(JSON.parse(during.get('POST /api/v1/subjects/_search')!.text)).toEqual({ items: [] });
  }, 120_000);

  it('after lifting: every walked answer is as it was, and every write works as it did', async () => {
    for (const s of restrictedSubjects) await lift(s.vNumber);
    restrictedSubjects.splice(0);
    const after = await walk();
    const findings: string[] = [];
    for (const [where, a] of after) {
      const was = before.get(where)!;
      if (a.status !== was.status) findings.push(`${where}: ${was.status} before, ${a.status} after lifting`);
      const lost = leaks(was.text).filter((m) => !leaks(a.text).includes(m));
      if (lost.length) findings.push(`${where}: no longer shows ${lost.join(', ')}`);
    }
    const writesAfter = await runWrites(false);
    for (const [id, a] of writesAfter) {
      const was = writesBefore.get(id)!;
      if ((a.status < 300) !== (was.status < 300)) findings.push(`${id}: ${was.status} before, ${a.status} after lifting`);
    }
    expect(findings).toEqual([]);
  }, 180_000);
});
