import type { Client } from 'pg';
import { type Latency, sequential } from './load';
import type { PgWireCounter } from './pg-wire-counter';

/**
 * Every GET operation of the served OpenAPI document, at the benchmark's scale: its latency at one connection
 * and its statements and round trips per request (counted on the wire), so that a list or read that does not
 * hold at a million cases shows here, including one added later. Path parameters are filled with rows of the
 * demo table by the resource their path segment names; an operation needing a parameter no row can fill is
 * listed as not measured, with the reason.
 */
export interface RouteFigure {
  route: string;
  as: string;
  status: string;
  latency?: Latency;
  statements?: number;
  roundTrips?: number;
  note?: string;
}

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean; schema?: { enum?: string[]; type?: string } }[] }>>;
}

/** Whose token each route is tried with: the chair of the demo table, unless the route is someone else's. */
const ROLE_OF = (path: string): 'chair' | 'privacy' | 'admin' =>
  /^\/(privacy|processing-register)/.test(path) ? 'privacy' : /^\/(users|api-clients|webhook-subscriptions)/.test(path) ? 'admin' : 'chair';

/** Routes that are not requests of a user: probes, the scrape, the calendar feed (its token is its own). */
const SKIPPED: Record<string, string> = {
  '/health/live': 'a probe',
  '/health/ready': 'a probe',
  '/calendar/{token}/events': 'a feed token of its own, not a bearer',
};

/** The demo table's rows that fill path parameters, by the segment before the parameter. */
export async function routeValues(db: Client, tableId: string): Promise<Record<string, string>> {
  const one = async (sql: string) => ((await db.query(sql, [tableId])).rows[0]?.id as string | undefined) ?? '';
  // A busy case: the active one with the most incidents (the lists under a case are the longest there).
  const caseId = await one(
    `SELECT c.id FROM case_file c WHERE c.table_id = $1 AND c.status = 'active' AND c.erased_at IS NULL
      ORDER BY (SELECT count(*) FROM incident i WHERE i.case_id = c.id) DESC, c.id LIMIT 1`,
  );
  return {
    tables: tableId,
    cases: caseId,
    meetings: await one(`SELECT id FROM meeting WHERE table_id = $1 AND status = 'closed' ORDER BY scheduled_at DESC LIMIT 1`),
    incidents: await one(`SELECT i.id FROM incident i JOIN case_file c ON c.id = i.case_id WHERE c.table_id = $1 AND i.classification = 'nuisance' ORDER BY i.id LIMIT 1`),
    measures: await one(`SELECT m.id FROM measure m JOIN case_file c ON c.id = m.case_id WHERE c.table_id = $1 ORDER BY m.id LIMIT 1`),
    actions: await one(`SELECT a.id FROM action a JOIN case_file c ON c.id = a.case_id WHERE c.table_id = $1 ORDER BY a.id LIMIT 1`),
    escalations: await one(`SELECT e.id FROM escalation e JOIN case_file c ON c.id = e.case_id WHERE c.table_id = $1 ORDER BY e.id LIMIT 1`),
    organisations: await one(`SELECT organisation_id AS id FROM table_member_organisation WHERE table_id = $1 ORDER BY organisation_id LIMIT 1`),
    municipalities: (await db.query(`SELECT municipality_code FROM chain_table WHERE id = $1`, [tableId])).rows[0].municipality_code,
  };
}

/** Query values for required query parameters, by name. */
const QUERY_VALUES = (quarter: string): Record<string, string> => ({ quarter });

export async function sweepRoutes(
  appUrl: string,
  countedUrl: string,
  counter: PgWireCounter,
  tokens: Record<'chair' | 'privacy' | 'admin', string>,
  values: Record<string, string>,
  quarter: string,
  seconds: number,
): Promise<RouteFigure[]> {
  const doc = (await (await fetch(`${appUrl}/api/v1/openapi.json`)).json()) as OpenApi;
  const figures: RouteFigure[] = [];
  for (const [template, operations] of Object.entries(doc.paths)) {
    const op = operations.get;
    if (!op) continue;
    const route = `GET ${template}`;
    if (SKIPPED[template]) {
      figures.push({ route, as: '-', status: 'not measured', note: SKIPPED[template] });
      continue;
    }
    let path = template;
    let unfilled = '';
    for (const m of template.matchAll(/([a-z-]+)\/\{(\w+)\}/g)) {
      const value = values[m[1]];
      if (!value) unfilled = `no ${m[1]} row to fill {${m[2]}}`;
      path = path.replace(`{${m[2]}}`, value ?? '');
    }
    const query = (op.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${encodeURIComponent(QUERY_VALUES(quarter)[p.name] ?? '')}`);
    if (query.length) path += `?${query.join('&')}`;
    const as = ROLE_OF(template);
    if (unfilled) {
      figures.push({ route, as, status: 'not measured', note: unfilled });
      continue;
    }
    const headers = { Authorization: `Bearer ${tokens[as]}`, Accept: 'application/json' };
    const probe = await fetch(`${appUrl}/api/v1${path}`, { headers });
    await probe.arrayBuffer();
    if (probe.status !== 200) {
      figures.push({ route, as, status: String(probe.status), note: 'answered no 200 with these values' });
      continue;
    }
    const latency = await sequential(`${appUrl}`, [`/api/v1${path}`], headers, seconds, 200);
    await sequential(countedUrl, [`/api/v1${path}`], headers, 30, 20); // every pool connection prepares
    counter.take();
    const n = 10;
    await sequential(countedUrl, [`/api/v1${path}`], headers, 30, n);
    const counts = counter.take();
    figures.push({ route, as, status: '200', latency, statements: counts.statements / n, roundTrips: counts.roundTrips / n });
  }
  return figures;
}
