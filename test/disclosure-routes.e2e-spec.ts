import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { PERMISSIONS, TableRole } from '../src/auth/permissions';
import { CATEGORIES, Category, DEFAULT_MATRIX, MEMBER_ORGANISATION_TYPES } from '../src/sharing/categories';
import type { GrantInput } from '../src/tables/covenant-writer';
import { MOVED_AWAY,
  ALL_GRANTS, buildFullFixture, FullFixture, givenProbedCase, ProbeHit, saveCovenant, seatChair, Viewer,
} from './support/full-fixture';
import { pdfText } from './support/pdf-text';
import { collectRoutes, RouteInfo, routeKey } from './support/routes';
import { expand, NO_CASE_DATA, NOT_WALKED, SCOPES_WITHOUT_CASE_DATA, unresolved, VOCABULARY, WriteRun, WRITES } from './support/route-walk';
import { bearer, startTestApp, TestApp } from './support/test-app';
import { TEST_METRICS_TOKEN } from './support/test-database';

/**
 * The route-walking disclosure proof (issue 7, DOMAIN.md section 7): on a table where every category is
 * present, for random covenants and every member organisation type, every registered GET route and every
 * write route that answers with case data is called as a viewer of that type, and no answer may hold a
 * value, a reason or a record of a category the covenant does not grant that type.
 *
 * Routes come from Nest's metadata, so a new route is walked the day it is added: a GET route whose path
 * parameters cannot be resolved from the fixture, and a write route that is in neither list of
 * test/support/route-walk.ts (shared with the restriction walk), fail.
 * Reproduce a failing run with DISCLOSURE_SEED=<seed>; DISCLOSURE_RUNS sets the runs per viewer type.
 */

const API = '/api/v1';
const SEED = Number(process.env.DISCLOSURE_SEED ?? Date.now() % 2_147_483_647);
const RUNS_PER_TYPE = Number(process.env.DISCLOSURE_RUNS ?? 2);
const PDF = 'application/pdf';
const CSV = 'text/csv';

// --- inspecting answers ----------------------------------------------------------------------------

/** Collects a binary response body into a Buffer (supertest parses only text types by default). */
const binary = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

/**
 * Structural leaks in a JSON answer: an object whose `category` is not granted, and a reason that does not
 * say its category (a reason without one was shown under a category nobody decided).
 */
function structuralLeaks(node: unknown, granted: ReadonlySet<Category>, path = '$'): string[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => structuralLeaks(v, granted, `${path}[${i}]`));
  if (!node || typeof node !== 'object') return [];
  const out: string[] = [];
  const obj = node as Record<string, unknown>;
  if ('category' in obj && !granted.has(obj.category as Category)) out.push(`${path}.category is ${JSON.stringify(obj.category)}: ${JSON.stringify(obj).slice(0, 300)}`);
  if (Array.isArray(obj.reasons)) {
    obj.reasons.forEach((r, i) => {
      if (!r || typeof r !== 'object' || (r as { category?: unknown }).category == null) out.push(`${path}.reasons[${i}] has no category: ${JSON.stringify(r).slice(0, 300)}`);
    });
  }
  for (const [k, v] of Object.entries(obj)) out.push(...structuralLeaks(v, granted, `${path}.${k}`));
  return out;
}

interface Answer {
  status: number;
  ms: number;
  type: string;
  /** The text a reader sees: the body, or the text extracted from a PDF. */
  text: string;
  json?: unknown;
  pdf: boolean;
}

interface Finding {
  count: number;
  example: string;
}

interface RouteStats {
  runs: Set<number>;
  calls: number;
  ok: number;
  statuses: Map<number, number>;
  ms: number;
  /** The first refusal, to tell why a route answered no 2xx. */
  refusal?: string;
}

const compact = (s: string) => s.replace(/\s+/g, '');

describe('disclosure over every route: no answer holds data of a category the viewer is not granted', () => {
  let t: TestApp;
  let f: FullFixture;
  let routes: RouteInfo[];
  let gets: RouteInfo[];
  let writes: RouteInfo[];
  const stats = new Map<string, RouteStats>();
  const findings = new Map<string, Finding>();
  /** Calls the chair was refused alike, not asked again. */
  const sameForChair = new Set<string>();
  let run = 0;

  const statsOf = (key: string) => {
    let s = stats.get(key);
    if (!s) stats.set(key, (s = { runs: new Set(), calls: 0, ok: 0, statuses: new Map(), ms: 0 }));
    return s;
  };
  const find = (where: string, kind: string, example: string) => {
    const key = `${where}: ${kind}`;
    const known = findings.get(key);
    if (known) known.count++;
    else findings.set(key, { count: 1, example });
  };

  async function call(method: string, path: string, token: string | undefined, body?: object, accept?: string): Promise<Answer> {
    let req = t.http()[method.toLowerCase() as 'get'](path);
    if (token) req = req.set(bearer(token));
    if (accept) req = req.set('Accept', accept);
    if (accept === PDF) req = req.buffer(true).parse(binary);
    const started = performance.now();
    const res = await (body === undefined ? req : req.send(body));
    const ms = performance.now() - started;
    const type = String(res.headers['content-type'] ?? '');
    const pdf = type.startsWith(PDF) && res.status < 300;
    const text = pdf ? pdfText(res.body as Buffer).text : (res.text ?? '');
    const json = /json/.test(type) && text ? JSON.parse(text) : undefined;
    return { status: res.status, ms, type, text, json, pdf };
  }

  /** Checks one answer for `viewer` under `granted`; `where` names the route and its parameters. */
  function inspect(routeId: string, where: string, answer: Answer, granted: ReadonlySet<Category>, context: string) {
    const s = statsOf(routeId);
    s.runs.add(run);
    s.calls++;
    s.statuses.set(answer.status, (s.statuses.get(answer.status) ?? 0) + 1);
    s.ms += answer.ms;
    if (answer.status < 300) s.ok++;
    else s.refusal ??= `${answer.status} ${answer.text.slice(0, 160)}`;
    if (answer.status >= 500) find(where, `answered ${answer.status}`, `${context}: ${answer.text.slice(0, 300)}`);
    const vocabulary = routeId in VOCABULARY;
    const hits: ProbeHit[] = f.probes.hits(answer.text, granted, answer.pdf ? compact : undefined, { codes: !vocabulary });
    for (const h of hits) find(where, `${answer.pdf ? 'PDF text' : 'body'} holds a ${h.category} probe ${JSON.stringify(h.probe)}`, `${context}: …${h.context}…`);
    if (answer.json !== undefined && !vocabulary) {
      for (const leak of structuralLeaks(answer.json, granted)) find(where, leak.replace(/\[\d+\]/g, '[]').replace(/:.*$/s, ''), `${context}: ${leak}`);
    }
  }

  const describeRun = (viewer: Viewer, granted: ReadonlySet<Category>, role: string) =>
    `run ${run}, ${role} of ${viewer.type} granted [${[...granted].join(', ')}] (seed ${SEED})`;

  /** Every walked GET route as the member of `viewer`'s type; an answer refused to the member is asked again as the chair. */
  async function walkGets(viewer: Viewer, granted: ReadonlySet<Category>, onAnswer?: (a: Answer) => void) {
    for (const route of gets) {
      const id = routeKey(route);
      for (const { label, value } of expand(route.path, f, viewer)) {
        for (const accept of [undefined, ...route.produces.filter((p) => p === PDF || p === CSV)]) {
          const where = `${id}${label ? ` [${label}]` : ''}${accept ? ` (Accept: ${accept})` : ''}`;
          // The metrics answer to the operator's token only; walked with it, so that their text is searched too.
          const token = id === 'GET /metrics' ? TEST_METRICS_TOKEN : route.auth?.public ? undefined : viewer.member.token;
          const answer = await call('GET', value, token, undefined, accept);
          inspect(id, where, answer, granted, describeRun(viewer, granted, 'member'));
          onAnswer?.(answer);
          if (token && (answer.status === 403 || answer.status === 409) && !sameForChair.has(where)) {
            const again = await call('GET', value, viewer.chair.token, undefined, accept);
            inspect(id, `${where} (as chair)`, again, granted, describeRun(viewer, granted, 'chair'));
            onAnswer?.(again);
            // Member and chair share their organisation's grants; where the role made no difference once, it makes none.
            if (again.status === answer.status) sameForChair.add(where);
          }
        }
      }
    }
  }

  const chairOnly = (route: RouteInfo) => {
    const roles = route.auth && !route.auth.public ? PERMISSIONS[route.auth.permission].tableRoles : undefined;
    return !!roles && !roles.includes(TableRole.Member);
  };

  async function runWrites(viewer: Viewer, granted: ReadonlySet<Category>, variant: number) {
    let scratch: Promise<{ id: string; reference: string; vNumber: string }> | undefined;
    let n = variant;
    const w: WriteRun = {
      f,
      viewer,
      pick: (options) => options[n++ % options.length],
      scratch: () => (scratch ??= givenProbedCase(f)),
    };
    for (const [id, build] of Object.entries(WRITES)) {
      const route = writes.find((r) => routeKey(r) === id);
      if (!route) continue;
      const { path, body } = await build(w);
      const role = chairOnly(route) ? 'chair' : 'member';
      const answer = await call(route.method, `${API}${path}`, viewer[role].token, body ?? {});
      inspect(id, id, answer, granted, `${describeRun(viewer, granted, role)}, body ${JSON.stringify(body ?? {}).slice(0, 200)}`);
    }
  }

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    f = await buildFullFixture(t);
    await t.dataSource.query(`UPDATE organisation SET municipality_code = 'GM0243' WHERE id = $1`, [f.table.organisations.MUNICIPALITY]);
    routes = collectRoutes(t);
    gets = routes.filter((r) => r.method === 'GET' && !(routeKey(r) in NOT_WALKED));
    writes = routes.filter((r) => r.method !== 'GET');
  }, 120_000);

  afterAll(async () => {
    const lines = [...stats.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, s]) => {
        const counts = `runs=${String(s.runs.size).padStart(3)} calls=${String(s.calls).padStart(4)} 2xx=${String(s.ok).padStart(4)}`;
        const statuses = [...s.statuses].sort(([a], [b]) => a - b).map(([k, v]) => `${k}:${v}`).join(' ');
        return `${id.padEnd(62)} ${counts} ms/call=${(s.ms / s.calls).toFixed(0).padStart(3)} ${statuses}${s.ok ? '' : `\n    never 2xx, e.g. ${s.refusal}`}`;
      });
    const findingLines = [...findings.entries()].map(([key, x]) => `${key} (${x.count}×)\n    e.g. ${x.example}`);
    const report = [`disclosure-routes: seed ${SEED}, ${RUNS_PER_TYPE} generated covenant(s) per viewer type plus the default covenant`, '', ...lines, '', `findings: ${findings.size}`, ...findingLines, ''];
    mkdirSync(join(__dirname, 'output'), { recursive: true });
    writeFileSync(join(__dirname, 'output', 'disclosure-routes.txt'), report.join('\n'));
    await t?.close();
  });

  it('lists only routes that exist, each in one list, and covers every write route', () => {
    const keys = new Set(routes.map(routeKey));
    const listed = [...Object.keys(NOT_WALKED), ...Object.keys(VOCABULARY), ...Object.keys(NO_CASE_DATA), ...Object.keys(WRITES)];
    expect(listed.filter((k) => !keys.has(k))).toEqual([]);
    expect(listed.filter((k, i) => listed.indexOf(k) !== i)).toEqual([]);
    const missing = writes.map(routeKey).filter((k) => !(k in WRITES) && !(k in NO_CASE_DATA));
    // A new write route: give it a request builder in WRITES, or say in NO_CASE_DATA why its answer holds no case data.
    expect(missing).toEqual([]);
    // Not walked only when no member of a table may call it at all.
    const forMembers = routes
      .filter((r) => routeKey(r) in NOT_WALKED)
      .filter((r) => {
        const holders = r.auth && !r.auth.public ? PERMISSIONS[r.auth.permission] : undefined;
        return !holders || r.method !== 'GET' || holders.anyUser || holders.tableRoles?.length || holders.scopes?.some((s) => !SCOPES_WITHOUT_CASE_DATA.includes(s));
      });
    expect(forMembers.map(routeKey)).toEqual([]);
  });

  it('resolves the path parameters of every GET route it walks', () => {
    // A new GET route whose parameter names a resource the fixture does not know: add it to RESOURCES.
    const open = gets.flatMap((r) => unresolved(r.path).map((p) => `${routeKey(r)}: ${p.param} (resource "${p.resource}")`));
    expect(open).toEqual([]);
    expect(gets.length).toBeGreaterThan(25);
  });

  it('shows a viewer granted everything a probe of every category (so the probes can find a leak)', async () => {
    await saveCovenant(f, ALL_GRANTS, 'all categories to everyone');
    await seatChair(f, 'POLICE');
    const seen = new Set<string>();
    const nothing = new Set<Category>();
    await walkGets(f.viewers.POLICE, new Set(CATEGORIES), (a) => {
      for (const h of f.probes.hits(a.text, nothing, a.pdf ? compact : undefined)) seen.add(h.category);
    });
    expect([...CATEGORIES].filter((c) => !seen.has(c))).toEqual([]);
    // Granted everything at this table, still nothing of the case that moved to another table.
    expect(seen.has(MOVED_AWAY)).toBe(false);
  }, 60_000);

  it('property: for random covenants and every viewer type, no answer of any route holds an ungranted value, reason or record', async () => {
    // Count what the property walked, not the check above.
    stats.clear();
    sameForChair.clear();
    const pair = fc.record({ organisationType: fc.constantFrom(...MEMBER_ORGANISATION_TYPES), category: fc.constantFrom(...CATEGORIES) });
    for (const [index, type] of MEMBER_ORGANISATION_TYPES.entries()) {
      const input = fc.record({
        own: fc.subarray([...CATEGORIES]),
        others: fc.uniqueArray(pair, { selector: (g) => `${g.organisationType}/${g.category}`, maxLength: 40 }),
        variant: fc.nat({ max: 1_000 }),
      });
      const byDefault = {
        own: CATEGORIES.filter((c) => DEFAULT_MATRIX[c].includes(type)),
        others: CATEGORIES.flatMap((category) => DEFAULT_MATRIX[category].map((organisationType) => ({ organisationType, category }))),
        variant: index,
      };
      await fc.assert(
        fc.asyncProperty(input, async ({ own, others, variant }) => {
          run++;
          const grants: GrantInput[] = [
            ...own.map((category) => ({ organisationType: type, category })),
            ...others.filter((g) => g.organisationType !== type),
          ].map((g) => ({ ...g, lawfulGround: 'public_task', legalBasis: 'Art. 6 lid 1 sub e AVG (test)' }));
          await saveCovenant(f, grants, `disclosure-routes run ${run}`);
          await seatChair(f, type);
          const granted = new Set(own);
          await walkGets(f.viewers[type], granted);
          await runWrites(f.viewers[type], granted, variant);
        }),
        // The default covenant is an example, which fast-check counts as one of the runs.
        { seed: SEED + index, numRuns: RUNS_PER_TYPE + 1, examples: [[byDefault]], endOnFailure: true },
      );
    }
    const report = [...findings.entries()].map(([key, x]) => `${key} (${x.count}×); e.g. ${x.example}`);
    const reproduce = `DISCLOSURE_SEED=${SEED} DISCLOSURE_RUNS=${RUNS_PER_TYPE} npx jest test/disclosure-routes.e2e-spec.ts`;
    expect({ reproduce, findings: report }).toEqual({ reproduce, findings: [] });
  }, 240_000);

  it('had a 2xx answer from every route it called (else the walk proved nothing about it)', () => {
    const called = [...gets.map(routeKey), ...Object.keys(WRITES)];
    expect(called.filter((k) => !stats.get(k)?.ok)).toEqual([]);
  });
});
