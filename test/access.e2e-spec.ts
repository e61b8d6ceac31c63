import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityManager } from 'typeorm';
import { ApiScope, GlobalRole, Permission } from '../src/auth/permissions';
import type { Principal } from '../src/auth/principal';
import { toProblem } from '../src/common/problem.filter';
import type { RequestContext } from '../src/common/request-context';
import { AccessService } from '../src/sharing/access.service';
import { DEFAULT_MATRIX } from '../src/sharing/categories';
import { ProcessingLogService } from '../src/sharing/processing-log.service';
import { RESOURCES, ResourceSpec, ResourceType } from '../src/sharing/resources';
import {
  givenAction,
  givenAgendaItem,
  givenCalendarFeed,
  givenCase,
  givenDeadline,
  givenEscalation,
  givenIncident,
  givenListImport,
  givenMeasure,
  givenMeeting,
  givenNomination,
  givenOrganisation,
  givenTable,
  givenTableUser,
  givenUser,
  GivenTable,
} from './support/factories';
import { bearer, login, partnerToken, startTestApp, TestApp } from './support/test-app';
import { Purpose } from '../src/sharing/purposes';

const ctxFor = (user: { id: string }, orgId: string, orgType: Principal['organisationType'], roles: GlobalRole[] = []): RequestContext => ({
  principal: { kind: 'user', id: user.id, organisationId: orgId, organisationType: orgType, roles, scopes: [] },
  traceId: 'trace-test',
  ip: '127.0.0.1',
});

const clientCtx = (orgId: string, orgType: Principal['organisationType'], scopes: ApiScope[]): RequestContext => ({
  principal: { kind: 'client', id: randomUUID(), organisationId: orgId, organisationType: orgType, roles: [], scopes },
  traceId: 'trace-test',
});

/** Open to every member of the table / to its chair only, by PERMISSIONS. */
const MEMBER_PERMISSION = Permission.CaseRead;
const CHAIR_PERMISSION = Permission.SessionManage;
const RESOURCE_TYPES = Object.keys(RESOURCES) as ResourceType[];

let operationSeq = 0;
/** An operation name of its own per attempt, so that its audit entries can be counted exactly. */
const nextOperation = (label: string) => `test.${label}.${++operationSeq}`;

/** The problem+json body a refusal becomes, without `instance` (the request path). */
async function problemOf(attempt: Promise<unknown>) {
  const error = await attempt.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  const { instance: _, ...problem } = toProblem(error, { url: '/any' } as Parameters<typeof toProblem>[1]);
  return problem;
}

/** One row of every resource type at `table`, all about one case, with what they hang off. */
async function givenEveryResource(t: TestApp, table: GivenTable, feedUser: { id: string }) {
  const ds = t.dataSource;
  const coa = table.organisations.COA!;
  const c = await givenCase(ds, table);
  const meeting = await givenMeeting(ds, table);
  await givenAgendaItem(ds, meeting.id, { caseId: c.id });
  await givenNomination(ds, table, meeting.id, coa, { caseId: c.id });
  await givenListImport(ds, table, coa);
  await givenCalendarFeed(ds, feedUser.id, table);
  await givenAction(ds, c.id, coa);
  await givenMeasure(ds, c.id, coa);
  await givenIncident(ds, c.id, coa);
  await givenDeadline(ds, c.id);
  await givenEscalation(ds, c.id, coa);
  return c;
}

describe('AccessService (the one place that decides)', () => {
  let t: TestApp;
  let sut: AccessService;
  let table: GivenTable;
  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    sut = t.app.get(AccessService);
    table = await givenTable(t.dataSource);
  });
  afterAll(() => t.close());

  const deniedEntries = (operation: string): Promise<{ table_id: string | null; role: string | null }[]> =>
    t.dataSource.query(`SELECT table_id, role FROM audit_log WHERE action = $1 AND result = 'denied'`, [operation]);

  /** Any row of `type` at the table, found with the resolver's own SQL (one about a case first). */
  async function rowOf(type: ResourceType, tableId: string): Promise<string> {
    const spec: ResourceSpec = RESOURCES[type];
    const order = spec.case === 'optional' ? 'ORDER BY c.id NULLS LAST' : '';
    const [row] = await t.dataSource.query(`SELECT ${spec.id} AS id ${spec.from} WHERE t.id = $1 ${order} LIMIT 1`, [tableId]);
    if (!row) throw new Error(`the fixture has no ${type} at the table: add one to givenEveryResource`);
    return row.id;
  }

  it("resolves a member's role and exactly the categories the default covenant grants", async () => {
    const police = await givenTableUser(t.dataSource, table, 'POLICE', 'chair');
    const c = await givenCase(t.dataSource, table);
    const access = await sut.require(ctxFor(police, table.organisations.POLICE!, 'POLICE'), 'case', c.id, { permission: MEMBER_PERMISSION, operation: 'case.read' });
    expect(access.role).toBe('chair');
    const expected = Object.entries(DEFAULT_MATRIX)
      .filter(([, types]) => types.includes('POLICE'))
      .map(([cat]) => cat)
      .sort();
    expect([...access.categories].sort()).toEqual(expected);
    expect(access.grants.get('criminal')?.processingActivityId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 404 alike for a non-member, an administrator and a case that does not exist, and audits each refusal', async () => {
    const c = await givenCase(t.dataSource, table);
    const outsiderOrg = await givenOrganisation(t.dataSource, 'POLICE');
    const outsider = await givenUser(t.dataSource, outsiderOrg);
    const memberOrgUserWithoutMembership = await givenUser(t.dataSource, table.organisations.COA!);
    const admin = await givenUser(t.dataSource, table.organisations.COA!, ['admin']);
    await t.dataSource.query(`INSERT INTO table_membership (table_id, user_id, role) VALUES ($1, $2, 'member')`, [table.id, admin.id]);
    const operation = nextOperation('case.read');
    const check = { permission: MEMBER_PERMISSION, operation };
    const attempts = [
      sut.require(ctxFor(outsider, outsiderOrg, 'POLICE'), 'case', c.id, check),
      sut.require(ctxFor(memberOrgUserWithoutMembership, table.organisations.COA!, 'COA'), 'case', c.id, check),
      sut.require(ctxFor(admin, table.organisations.COA!, 'COA', [GlobalRole.Admin]), 'case', c.id, check),
      sut.require(ctxFor(outsider, outsiderOrg, 'POLICE'), 'case', randomUUID(), check),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toMatchObject({ status: 404 });
    expect(await deniedEntries(operation)).toHaveLength(4);
  });

  it('writes one processing entry per subject and one audit entry, linked by operation id, with a keyed hash', async () => {
    const coa = await givenTableUser(t.dataSource, table, 'COA');
    const ctx = ctxFor(coa, table.organisations.COA!, 'COA');
    const cases = await Promise.all([1, 2, 3].map(() => givenCase(t.dataSource, table)));
    const access = await sut.require(ctx, 'table', table.id, { permission: MEMBER_PERMISSION, operation: 'case.list' });
    const subjects = await t.dataSource.query(`SELECT id AS "subjectId", v_number AS "vNumber" FROM subject WHERE id = ANY($1)`, [cases.map((c) => c.subjectId)]);
    const operationId = await t.dataSource.transaction((m) =>
      t.app.get(ProcessingLogService).record(m, ctx, access, {
        operation: 'case.list',
        activityCategory: 'identity',
        categories: ['identity', 'deliberation'],
        subjects,
        purpose: Purpose.CasePreparation,
        startedAt: new Date(),
      }),
    );
    const entries = await t.dataSource.query(`SELECT * FROM processing_log WHERE operation_id = $1`, [operationId]);
    expect(entries).toHaveLength(3);
    for (const e of entries) {
      expect(e.data_subject_id).toMatch(/^[0-9a-f]{64}$/);
      expect(subjects.map((s: { vNumber: string }) => s.vNumber)).not.toContain(e.data_subject_id);
      expect(e.processing_activity_id).toBe(access.grants.get('identity')!.processingActivityId);
      expect(e.trace_id).toBe('trace-test');
    }
    const [audit] = await t.dataSource.query(`SELECT * FROM audit_log WHERE operation_id = $1`, [operationId]);
    expect(audit).toMatchObject({ actor_id: coa.id, result: 'allowed', subject_count: 3, categories: ['identity', 'deliberation'] });
  });

  /**
   * Walks RESOURCES, so a resource type added there is covered here without editing this test (its
   * fixture row aside: rowOf fails loudly until givenEveryResource makes one).
   */
  describe('every resource type, through the resolver map', () => {
    let table: GivenTable;
    let ours: { id: string };
    let chair: RequestContext;
    let member: RequestContext;
    let otherTable: GivenTable;
    let outsider: RequestContext;
    beforeAll(async () => {
      table = await givenTable(t.dataSource);
      const chairUser = await givenTableUser(t.dataSource, table, 'POLICE', 'chair');
      chair = ctxFor(chairUser, table.organisations.POLICE!, 'POLICE');
      member = ctxFor(await givenTableUser(t.dataSource, table, 'MUNICIPALITY'), table.organisations.MUNICIPALITY!, 'MUNICIPALITY');
      ours = await givenEveryResource(t, table, chairUser);
      otherTable = await givenTable(t.dataSource);
      outsider = ctxFor(await givenTableUser(t.dataSource, otherTable, 'POLICE', 'chair'), otherTable.organisations.POLICE!, 'POLICE');
    });

    it.each(RESOURCE_TYPES)('%s: resolves one of the table for its chair, with its case where it has one', async (type) => {
      const access = await sut.require(chair, type, await rowOf(type, table.id), { permission: CHAIR_PERMISSION, operation: nextOperation(type) });
      expect({ tableId: access.tableId, role: access.role }).toEqual({ tableId: table.id, role: 'chair' });
      const caseId = 'caseId' in access ? access.caseId : undefined;
      expect(caseId).toBe(RESOURCES[type].case === 'none' ? undefined : ours.id);
    });

    it.each(RESOURCE_TYPES)('%s: answers one of another table exactly like one that does not exist, and audits each refusal once', async (type) => {
      const foreign = { permission: MEMBER_PERMISSION, operation: nextOperation(`${type}.foreign`) };
      const missing = { permission: MEMBER_PERMISSION, operation: nextOperation(`${type}.missing`) };
      const ofOtherTable = await problemOf(sut.require(outsider, type, await rowOf(type, table.id), foreign));
      const nonexistent = await problemOf(sut.require(outsider, type, randomUUID(), missing));
      expect(ofOtherTable).toEqual(nonexistent);
      expect(nonexistent).toMatchObject({ status: 404, code: 'not_found', detail: `${RESOURCES[type].name} was not found.` });
      // The audit log, never the caller, learns which table the refused resource is at.
      expect(await deniedEntries(foreign.operation)).toEqual([{ table_id: table.id, role: null }]);
      expect(await deniedEntries(missing.operation)).toEqual([{ table_id: null, role: null }]);
    });

    it.each(RESOURCE_TYPES)('%s: refuses a member who is not the chair a chair-only operation (403 chair_only), audited', async (type) => {
      const check = { permission: CHAIR_PERMISSION, operation: nextOperation(`${type}.chair_only`) };
      const problem = await problemOf(sut.require(member, type, await rowOf(type, table.id), check));
      expect(problem).toMatchObject({ status: 403, code: 'chair_only' });
      expect(await deniedEntries(check.operation)).toEqual([{ table_id: table.id, role: 'member' }]);
      // The same member may do what every member may.
      await expect(sut.require(member, type, await rowOf(type, table.id), { permission: MEMBER_PERMISSION, operation: 'test.read' })).resolves.toBeTruthy();
    });

    it.each(RESOURCE_TYPES)('%s: after its case moved to another table, belongs to the new table if case-bound, else stays', async (type) => {
      const movingTable = await givenTable(t.dataSource);
      const oldChairUser = await givenTableUser(t.dataSource, movingTable, 'POLICE', 'chair');
      const oldChair = ctxFor(oldChairUser, movingTable.organisations.POLICE!, 'POLICE');
      const moved = await givenEveryResource(t, movingTable, oldChairUser);
      const id = await rowOf(type, movingTable.id);
      await t.dataSource.query(`UPDATE case_file SET table_id = $2 WHERE id = $1`, [moved.id, otherTable.id]);
      const check = { permission: MEMBER_PERMISSION, operation: nextOperation(`${type}.moved`) };
      const spec: ResourceSpec = RESOURCES[type];
      if (spec.case === 'always') {
        expect(await problemOf(sut.require(oldChair, type, id, check))).toMatchObject({ status: 404 });
        await expect(sut.require(outsider, type, id, check)).resolves.toMatchObject({ tableId: otherTable.id, caseId: moved.id });
      } else {
        // A meeting, list or feed stays with its table; an agenda item or nomination too, without the case.
        const access = await sut.require(oldChair, type, id, check);
        expect({ tableId: access.tableId, caseId: 'caseId' in access ? access.caseId : undefined }).toEqual({ tableId: movingTable.id, caseId: undefined });
      }
    });

    it('treats a row of a category the covenant does not grant as not found, and audits it', async () => {
      const offence = await givenIncident(t.dataSource, ours.id, table.organisations.POLICE!, { classification: 'offence' });
      const check = { permission: MEMBER_PERMISSION, operation: nextOperation('incident.criminal') };
      // The municipality is not granted `criminal` by the default covenant; the police are.
      expect(await problemOf(sut.require(member, 'incident', offence.id, check))).toEqual(await problemOf(sut.require(member, 'incident', randomUUID(), check)));
      expect((await deniedEntries(check.operation))[0]).toEqual({ table_id: table.id, role: 'member' });
      await expect(sut.require(chair, 'incident', offence.id, check)).resolves.toMatchObject({ caseId: ours.id });
    });

    it("shows a partner system its own organisation's actions only, and names the scope it lacks", async () => {
      const action = await givenAction(t.dataSource, ours.id, table.organisations.POLICE!);
      const coaAction = await givenAction(t.dataSource, ours.id, table.organisations.COA!);
      const writer = clientCtx(table.organisations.POLICE!, 'POLICE', [ApiScope.ActionsWrite]);
      const write = { permission: Permission.ActionWrite, operation: nextOperation('action.complete') };
      await expect(sut.require(writer, 'action', action.id, write)).resolves.toMatchObject({ role: 'partner_system', caseId: ours.id });
      expect(await problemOf(sut.require(writer, 'action', coaAction.id, write))).toMatchObject({ status: 404, detail: 'Action was not found.' });

      const reader = clientCtx(table.organisations.POLICE!, 'POLICE', [ApiScope.ActionsRead]);
      const refused = { permission: Permission.ActionWrite, operation: nextOperation('action.complete') };
      const problem = await problemOf(sut.require(reader, 'action', action.id, refused));
      expect(problem).toMatchObject({ status: 403, code: 'permission_denied', requiredScopes: ['actions:write'] });
      expect(problem.detail).toContain('actions:write');
      expect(problem.detail).not.toContain(Permission.ActionWrite);
      expect(await deniedEntries(refused.operation)).toEqual([{ table_id: table.id, role: 'partner_system' }]);
    });

    it('answers an id that is not a UUID as not found without a query, and audits it', async () => {
      const noQueries = { query: () => Promise.reject(new Error('no query expected')) } as unknown as EntityManager;
      const check = { permission: MEMBER_PERMISSION, operation: nextOperation('meeting.malformed') };
      expect(await problemOf(sut.require(chair, 'meeting', 'not-a-uuid', check, noQueries))).toMatchObject({ status: 404, detail: 'Meeting was not found.' });
      expect(await deniedEntries(check.operation)).toHaveLength(1);
    });
  });

  describe('over HTTP', () => {
    let meetingId: string;
    let tokens: { member: string; outsider: string; admin: string };
    beforeAll(async () => {
      const other = await givenTable(t.dataSource);
      meetingId = (await givenMeeting(t.dataSource, table)).id;
      const adminUser = await givenUser(t.dataSource, await givenOrganisation(t.dataSource, 'ADMINISTRATION'), ['admin']);
      tokens = {
        member: (await login(t, (await givenTableUser(t.dataSource, table, 'IND')).email)).accessToken,
        outsider: (await login(t, (await givenTableUser(t.dataSource, other, 'IND')).email)).accessToken,
        admin: (await login(t, adminUser.email)).accessToken,
      };
    });

    it('answers a meeting of another table with the same problem as one that does not exist', async () => {
      const strip = ({ instance: _, ...body }: Record<string, unknown>) => body;
      const ofOtherTable = await t.http().get(`/api/v1/meetings/${meetingId}`).set(bearer(tokens.outsider)).expect(404);
      const nonexistent = await t.http().get(`/api/v1/meetings/${randomUUID()}`).set(bearer(tokens.outsider)).expect(404);
      expect(strip(ofOtherTable.body)).toEqual(strip(nonexistent.body));
      expect(ofOtherTable.body.detail).toBe('Meeting was not found.');
    });

    it('refuses a member the chair-only publishing of the agenda (403 chair_only) and audits it with table and role', async () => {
      const res = await t.http().post(`/api/v1/meetings/${meetingId}/agenda/_publish`).set(bearer(tokens.member)).expect(403);
      expect(res.body).toMatchObject({ code: 'chair_only', status: 403 });
      const [entry] = await t.dataSource.query(`SELECT table_id, role, result FROM audit_log WHERE action = 'agenda.publish' ORDER BY id DESC LIMIT 1`);
      expect(entry).toEqual({ table_id: table.id, role: 'member', result: 'denied' });
    });

    it('tells a partner system without incidents:write which OAuth2 scope to request', async () => {
      const reader = await partnerToken(t, tokens.admin, table.organisations.POLICE!, ['actions:read']);
      const incident = { caseReference: 'X', kind: 'theft', severity: 'minor', occurredAt: new Date().toISOString(), externalReference: 'BVH-1' };
      const res = await t.http().post('/api/v1/incidents').set(bearer(reader)).send(incident).expect(403);
      expect(res.body).toMatchObject({ status: 403, code: 'permission_denied', requiredScopes: ['incidents:write'] });
      expect(res.body.detail).toContain('incidents:write');
      expect(res.body.detail).not.toContain(Permission.IncidentWrite);
    });
  });

  it('is the only place that audits a refusal or turns a 404 into another', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));
    const src = join(__dirname, '..', 'src');
    const offenders = files(src)
      .filter((f) => !f.endsWith(join('sharing', 'access.service.ts')) && !f.endsWith(join('sharing', 'processing-log.service.ts')))
      .filter((f) => /recordDenied\(|getStatus\(\) === HttpStatus\.NOT_FOUND/.test(readFileSync(f, 'utf8')))
      .map((f) => f.slice(src.length + 1));
    expect(offenders).toEqual([]);
  });
});
