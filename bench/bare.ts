/**
 * The benchmark's baselines, in a process of their own: `node:http` + `pg`, no framework, running exactly the
 * application's SQL for a case read and a case list (the same statement builders: accessStatement with the
 * case detail projection, casePageStatement, recordStatement) and the same disclosure and JSON (detailView,
 * listItemView). What it leaves out is what the framework adds: token verification (a bearer header is only
 * checked to be present; the principal is fixed by BENCH_PRINCIPAL), routing, validation, the request scope,
 * metrics, security headers, request logging and TypeORM.
 *
 *   BARE_MODE=naive     every statement unnamed, as TypeORM sends them: parsed and planned on every call
 *   BARE_MODE=prepared  every statement named: the physical limit for this SQL here
 *
 * Env: DATABASE_URL, BENCH_PRINCIPAL (JSON of a Principal), PSEUDONYM_KEY, BARE_POOL_SIZE. Prints
 * `listening <port>` on stdout.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type QueryConfig } from 'pg';
import type { Principal } from '../src/auth/principal';
import { encodeCaseCursor, visibleIncidentClassifications } from '../src/cases/case-list.service';
import { caseDetailProjection, casePageStatement, type CaseDetailRow, type CaseListRow } from '../src/cases/case.repository';
import { CaseListItemView, detailCategories, detailView, listItemView, shownSubjects } from '../src/cases/case-view';
import { etagOf, versionStatement } from '../src/common/etag';
import { amsterdamDate } from '../src/common/working-days';
import { accessStatement, type AccessRow, toAccess } from '../src/sharing/access.service';
import { categoriesOf } from '../src/sharing/disclosure';
import { recordStatement } from '../src/sharing/processing-log.service';
import { Purpose } from '../src/sharing/purposes';
import { RESOURCES } from '../src/sharing/resources';

const mode = process.env.BARE_MODE === 'prepared' ? 'prepared' : 'naive';
const principal = JSON.parse(process.env.BENCH_PRINCIPAL ?? '{}') as Principal;
const pseudonymKey = process.env.PSEUDONYM_KEY ?? '';
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.BARE_POOL_SIZE ?? 20) });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The same naming as src/db/prepared.ts, so that both prepare the same statements. */
const names = new Map<string, string>();
function run<T>(statement: { text: string; values: unknown[] }): Promise<T[]> {
  const config: QueryConfig = { text: statement.text, values: statement.values };
  if (mode === 'prepared') {
    let name = names.get(statement.text);
    if (!name) names.set(statement.text, (name = `kt_${createHash('sha256').update(statement.text).digest('base64url').slice(0, 22)}`));
    config.name = name;
  }
  return pool.query(config).then((r) => r.rows as T[]);
}

async function caseRead(caseId: string, traceId: string, res: ServerResponse): Promise<unknown> {
  // The app reads the row's version for its ETag first (src/common/etag.ts, VersionInterceptor).
  const [version] = await run<{ version: number }>(versionStatement('case_file', caseId));
  const startedAt = new Date();
  const [row] = await run<AccessRow & CaseDetailRow>(
    accessStatement(principal, RESOURCES.case, 'c.id = $1', [caseId], { projection: caseDetailProjection(amsterdamDate(startedAt)) }),
  );
  if (!row?.member || row.restricted) return undefined;
  const access = toAccess(row);
  await run(
    recordStatement(pseudonymKey, { traceId, principal }, access, {
      operation: 'case.read',
      activityCategory: 'deliberation',
      categories: detailCategories(row, access.categories),
      subjects: [{ subjectId: row.subject_id, vNumber: row.v_number }],
      purpose: Purpose.CaseDiscussion,
      startedAt,
    }, randomUUID(), new Date()),
  );
  if (version) res.setHeader('ETag', etagOf(version.version));
  return detailView(row, access.categories);
}

async function caseList(tableId: string, limit: number, traceId: string): Promise<unknown> {
  const startedAt = new Date();
  const [row] = await run<AccessRow>(accessStatement(principal, RESOURCES.table, 't.id = $1', [tableId]));
  if (!row?.member) return undefined;
  const access = toAccess(row);
  const rows = await run<CaseListRow>(
    casePageStatement(tableId, { incidentClassifications: visibleIncidentClassifications(access.categories) }, limit + 1, amsterdamDate(startedAt)),
  );
  const page = rows.slice(0, limit);
  await run(
    recordStatement(pseudonymKey, { traceId, principal }, access, {
      operation: 'case.list',
      activityCategory: 'deliberation',
      categories: categoriesOf(CaseListItemView, access.categories),
      subjects: shownSubjects(page),
      purpose: Purpose.CasePreparation,
      startedAt,
    }, randomUUID(), new Date()),
  );
  return { items: page.map((r) => listItemView(r, access.categories)), nextCursor: rows.length > limit ? encodeCaseCursor(page[page.length - 1]) : null };
}

const server = createServer((req, res) => {
  const send = (status: number, body: unknown) => {
    const json = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': status === 200 ? 'application/json' : 'application/problem+json', 'Content-Length': Buffer.byteLength(json) });
    res.end(json);
  };
  const notFound = () => send(404, { status: 404, title: 'Not Found' });
  if (req.method !== 'GET' || !req.headers.authorization?.startsWith('Bearer ')) return notFound();
  const url = new URL(req.url ?? '/', 'http://bare');
  const traceId = randomUUID().replace(/-/g, '');
  const answer = (work: Promise<unknown>) =>
    work.then(
      (body) => (body === undefined ? notFound() : send(200, body)),
      (e: unknown) => {
        console.error(e);
        send(500, { status: 500, title: 'Internal Server Error' });
      },
    );
  const read = /^\/api\/v1\/cases\/([^/]+)$/.exec(url.pathname);
  if (read && UUID.test(read[1])) return answer(caseRead(read[1], traceId, res));
  const list = /^\/api\/v1\/tables\/([^/]+)\/cases$/.exec(url.pathname);
  if (list && UUID.test(list[1])) return answer(caseList(list[1], Number(url.searchParams.get('limit') ?? 25), traceId));
  notFound();
});

server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
