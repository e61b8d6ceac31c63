import { GlobalRole } from '../src/auth/permissions';
import type { Principal } from '../src/auth/principal';
import type { RequestContext } from '../src/common/request-context';
import { AccessService } from '../src/sharing/access.service';
import { DEFAULT_MATRIX } from '../src/sharing/categories';
import { ProcessingLogService } from '../src/sharing/processing-log.service';
import { givenCase, givenOrganisation, givenTable, givenTableUser, givenUser, GivenTable } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

const ctxFor = (user: { id: string }, orgId: string, orgType: Principal['organisationType'], roles: GlobalRole[] = []): RequestContext => ({
  principal: { kind: 'user', id: user.id, organisationId: orgId, organisationType: orgType, roles, scopes: [] },
  traceId: 'trace-test',
  ip: '127.0.0.1',
});

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

  it("resolves a member's role and exactly the categories the default covenant grants", async () => {
    const police = await givenTableUser(t.dataSource, table, 'POLICE', 'chair');
    const c = await givenCase(t.dataSource, table);
    const access = await sut.requireCase(ctxFor(police, table.organisations.POLICE!, 'POLICE'), c.id, 'case.read');
    expect(access.role).toBe('chair');
    const expected = Object.entries(DEFAULT_MATRIX)
      .filter(([, types]) => types.includes('POLICE'))
      .map(([cat]) => cat)
      .sort();
    expect([...access.categories].sort()).toEqual(expected);
    expect(access.grants.get('criminal')?.processingActivityId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 404 alike for a non-member, an administrator and a case that does not exist, and audits the refusal', async () => {
    const c = await givenCase(t.dataSource, table);
    const outsiderOrg = await givenOrganisation(t.dataSource, 'POLICE');
    const outsider = await givenUser(t.dataSource, outsiderOrg);
    const memberOrgUserWithoutMembership = await givenUser(t.dataSource, table.organisations.COA!);
    const admin = await givenUser(t.dataSource, table.organisations.COA!, ['admin']);
    await t.dataSource.query(`INSERT INTO table_membership (table_id, user_id, role) VALUES ($1, $2, 'member')`, [table.id, admin.id]);
    const attempts = [
      sut.requireCase(ctxFor(outsider, outsiderOrg, 'POLICE'), c.id, 'case.read'),
      sut.requireCase(ctxFor(memberOrgUserWithoutMembership, table.organisations.COA!, 'COA'), c.id, 'case.read'),
      sut.requireCase(ctxFor(admin, table.organisations.COA!, 'COA', [GlobalRole.Admin]), c.id, 'case.read'),
      sut.requireCase(ctxFor(outsider, outsiderOrg, 'POLICE'), '00000000-0000-4000-8000-000000000000', 'case.read'),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toMatchObject({ status: 404 });
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE result = 'denied' AND action = 'case.read'`);
    expect(n).toBeGreaterThanOrEqual(4);
  });

  it('writes one processing entry per subject and one audit entry, linked by operation id, with a keyed hash', async () => {
    const coa = await givenTableUser(t.dataSource, table, 'COA');
    const ctx = ctxFor(coa, table.organisations.COA!, 'COA');
    const cases = await Promise.all([1, 2, 3].map(() => givenCase(t.dataSource, table)));
    const access = await sut.requireTable(ctx, table.id, 'case.list');
    const subjects = await t.dataSource.query(`SELECT id AS "subjectId", v_number AS "vNumber" FROM subject WHERE id = ANY($1)`, [cases.map((c) => c.subjectId)]);
    const operationId = await t.dataSource.transaction((m) =>
      t.app.get(ProcessingLogService).record(m, ctx, access, {
        operation: 'case.list',
        activityCategory: 'identity',
        categories: ['identity', 'deliberation'],
        subjects,
        purpose: 'test',
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
});
