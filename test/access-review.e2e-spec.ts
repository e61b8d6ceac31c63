import { DEFAULT_MATRIX, type Category } from '../src/sharing/categories';
import { pseudonymise } from '../src/sharing/pseudonym';
import { Purpose } from '../src/sharing/purposes';
import { givenCase, givenTable, givenTableUser, givenUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

interface CategoryAccess {
  category: Category;
  since: string;
  legalBasis: string;
}
interface UserAccess {
  userId: string;
  name: string;
  role: string;
  organisationType: string;
  memberSince: string;
  organisationMemberSince: string;
  lastSignInAt: string | null;
  categories: CategoryAccess[];
}
interface AuditEntry {
  action: string;
  actorId: string;
  tableId: string | null;
  purpose: string;
  purposeLabel: string;
  result: string;
  detail: { log?: string; review?: string; filter?: Record<string, unknown>; returned?: unknown } | null;
}

const API = '/api/v1';

describe('access review and audited reads of the logs', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let privacyId: string;
  let demoTableId: string;
  const http = () => t.http();
  const as = (who: string) => bearer(tokens[who]);
  const review = async (tableId: string) => (await http().get(`${API}/privacy/tables/${tableId}/access-review`).set(as('privacy')).expect(200)).body;
  const auditLog = async (query: Record<string, string | number>): Promise<AuditEntry[]> =>
    (await http().get(`${API}/privacy/audit-log`).query(query).set(as('privacy')).expect(200)).body.items;

  beforeAll(async () => {
    t = await startTestApp();
    for (const who of ['coa', 'politie', 'admin', 'privacy']) tokens[who] = (await login(t, `${who}@demo.ketentafel.nl`)).accessToken;
    [{ id: privacyId }] = await t.dataSource.query(`SELECT id FROM app_user WHERE email = 'privacy@demo.ketentafel.nl'`);
    [{ id: demoTableId }] = await t.dataSource.query(`SELECT id FROM chain_table WHERE name = 'LKO Harderwijk'`);
  });
  afterAll(() => t.close());

  describe('who can see which categories now, and since when', () => {
    it('lists every member of the demo table with the categories the covenant grants their organisation, and the police partner system', async () => {
      const body = await review(demoTableId);
      expect(body).toMatchObject({ tableId: demoTableId, tableName: 'LKO Harderwijk', covenantVersion: 1, reviewedAt: expect.any(String) });
      const users = body.users as UserAccess[];
      expect(users.map((u) => u.organisationType).sort()).toEqual(['CHAIN_MARINE', 'COA', 'DTV', 'IND', 'MUNICIPALITY', 'OM', 'POLICE']);
      // The administrator and the privacy officer sit at no table and see no case content.
      expect(users.map((u) => u.name)).not.toContain('Beheerder');
      expect(users.map((u) => u.name)).not.toContain('Privacy officer');
      for (const u of users) {
        const granted = Object.entries(DEFAULT_MATRIX)
          .filter(([, types]) => (types as readonly string[]).includes(u.organisationType))
          .map(([c]) => c);
        expect({ who: u.organisationType, categories: u.categories.map((c) => c.category) }).toEqual({ who: u.organisationType, categories: granted });
        for (const c of u.categories) {
          expect(Date.parse(c.since)).toBeGreaterThanOrEqual(Date.parse(u.memberSince));
          expect(Date.parse(c.since)).toBeGreaterThanOrEqual(Date.parse(u.organisationMemberSince));
          expect(c.legalBasis).toMatch(/AVG/);
        }
      }
      expect(users.find((u) => u.organisationType === 'COA')!.role).toBe('chair');
      // Signed in for this test: the last sign-in shows.
      expect(users.find((u) => u.organisationType === 'POLICE')!.lastSignInAt).not.toBeNull();
      expect(body.apiClients).toEqual([
        expect.objectContaining({ clientId: 'politie-bvh-demo', organisationType: 'POLICE', scopes: expect.arrayContaining(['incidents:write']) }),
      ]);
      expect(body.apiClients[0].categories.map((c: CategoryAccess) => c.category)).toEqual(users.find((u) => u.organisationType === 'POLICE')!.categories.map((c) => c.category));
    });

    it('follows the covenant, the memberships, the accounts and the seats as they change', async () => {
      const table = await givenTable(t.dataSource, { memberTypes: ['COA', 'POLICE', 'MUNICIPALITY'] });
      const chair = await givenTableUser(t.dataSource, table, 'COA', 'chair');
      const officer = await givenTableUser(t.dataSource, table, 'POLICE');
      const disabled = await givenTableUser(t.dataSource, table, 'POLICE');
      const civil = await givenTableUser(t.dataSource, table, 'MUNICIPALITY');
      const chairToken = (await login(t, chair.email)).accessToken;
      const before = await review(table.id);
      const policeBefore = (before.users as UserAccess[]).find((u) => u.userId === officer.id)!;
      expect(policeBefore.categories.map((c) => c.category)).toContain('criminal');

      // The police lose criminal data; an account is disabled; the municipality leaves the table.
      const grants = Object.entries(DEFAULT_MATRIX).flatMap(([category, types]) =>
        types
          .filter((type) => !(type === 'POLICE' && category === 'criminal'))
          .map((organisationType) => ({ organisationType, category, lawfulGround: 'public_task', legalBasis: 'Art. 6 lid 1 sub e AVG' })),
      );
      await http().put(`${API}/tables/${table.id}/covenant`).set(bearer(chairToken)).send({ changeNote: 'Politie geen strafrechtelijke gegevens', grants }).expect(200);
      await t.dataSource.query(`UPDATE app_user SET disabled_at = now() WHERE id = $1`, [disabled.id]);
      await http().delete(`${API}/tables/${table.id}/member-organisations/${table.organisations.MUNICIPALITY}`).set(as('admin')).expect(204);

      const after = await review(table.id);
      const users = after.users as UserAccess[];
      expect(users.map((u) => u.userId).sort()).toEqual([chair.id, officer.id].sort());
      expect(users.map((u) => u.userId)).not.toContain(civil.id);
      const police = users.find((u) => u.userId === officer.id)!;
      expect(police.categories.map((c) => c.category)).not.toContain('criminal');
      // A grant that holds through the change keeps its date; the covenant version moves on.
      const identity = (u: UserAccess) => u.categories.find((c) => c.category === 'identity')!.since;
      expect(identity(police)).toBe(identity(policeBefore));
      expect(after.covenantVersion).toBe(before.covenantVersion + 1);
    });

    it('answers 404 for an unknown table, 400 for a malformed id, and 403 to anyone but the privacy officer', async () => {
      await http().get(`${API}/privacy/tables/00000000-0000-4000-8000-000000000000/access-review`).set(as('privacy')).expect(404);
      const bad = await http().get(`${API}/privacy/tables/nope/access-review`).set(as('privacy')).expect(400);
      expect(bad.body.invalidParams).toEqual([expect.objectContaining({ name: 'id' })]);
      for (const who of ['admin', 'coa', 'politie']) {
        await http().get(`${API}/privacy/tables/${demoTableId}/access-review`).set(as(who)).expect(403);
        await http().get(`${API}/privacy/tables/${demoTableId}/refused-attempts`).set(as(who)).expect(403);
      }
    });
  });

  describe('refused attempts', () => {
    it('counts and lists the refusals at the table in a period, by action and by who tried', async () => {
      const table = await givenTable(t.dataSource, { memberTypes: ['COA', 'POLICE'] });
      await givenTableUser(t.dataSource, table, 'COA', 'chair');
      const member = await givenTableUser(t.dataSource, table, 'POLICE');
      const outsider = await givenUser(t.dataSource, table.organisations.POLICE!);
      const memberToken = (await login(t, member.email)).accessToken;
      const outsiderToken = (await login(t, outsider.email)).accessToken;
      const caseId = (await givenCase(t.dataSource, table)).id;
      const start = new Date(Date.now() - 1000).toISOString();
      // A colleague without a membership reads a case (twice); a member tries the chair's covenant.
      await http().get(`${API}/cases/${caseId}`).set(bearer(outsiderToken)).expect(404);
      await http().get(`${API}/cases/${caseId}`).set(bearer(outsiderToken)).expect(404);
      await http().put(`${API}/tables/${table.id}/covenant`).set(bearer(memberToken)).send({ changeNote: 'Poging', grants: [] }).expect(403);
      // Allowed reads are not refusals.
      await http().get(`${API}/cases/${caseId}`).set(bearer(memberToken)).expect(200);

      const res = await http().get(`${API}/privacy/tables/${table.id}/refused-attempts`).query({ from: start }).set(as('privacy')).expect(200);
      expect(res.body).toMatchObject({ tableId: table.id, from: start, total: 3, truncated: false });
      expect(res.body.byAction).toEqual([
        { action: 'case.read', count: 2 },
        { action: 'covenant.write', count: 1 },
      ]);
      expect(res.body.byActor).toEqual([
        expect.objectContaining({ actorKind: 'user', actorId: outsider.id, actorName: 'Test user', count: 2 }),
        expect.objectContaining({ actorKind: 'user', actorId: member.id, count: 1 }),
      ]);
      expect(res.body.items.map((i: { action: string }) => i.action)).toEqual(['covenant.write', 'case.read', 'case.read']);
      expect(res.body.items[0]).toMatchObject({ actorId: member.id, role: 'member', organisationId: table.organisations.POLICE });

      const limited = await http().get(`${API}/privacy/tables/${table.id}/refused-attempts`).query({ from: start, limit: 1 }).set(as('privacy')).expect(200);
      expect(limited.body).toMatchObject({ total: 3, truncated: true });
      expect(limited.body.items).toHaveLength(1);
      // The attempts page on with the cursor (and its Link header), each once, in the order of the full list.
      const walked = [...limited.body.items];
      let next: string | null = limited.body.nextCursor;
      expect(limited.headers.link).toContain('rel="next"');
      while (next) {
        const more = await http().get(`${API}/privacy/tables/${table.id}/refused-attempts`).query({ from: start, limit: 1, cursor: next }).set(as('privacy')).expect(200);
        expect(more.body.total).toBe(3);
        walked.push(...more.body.items);
        next = more.body.nextCursor;
      }
      expect(walked.map((i: { id: string }) => i.id)).toEqual(res.body.items.map((i: { id: string }) => i.id));
      const later = new Date(Date.now() + 3_600_000).toISOString();
      const empty = await http().get(`${API}/privacy/tables/${table.id}/refused-attempts`).query({ from: later, to: new Date(Date.now() + 7_200_000).toISOString() }).set(as('privacy')).expect(200);
      expect(empty.body).toMatchObject({ total: 0, byAction: [], byActor: [], items: [] });
    });

    it('refuses a period that ends before it starts, or is not a date-time with offset, naming the field', async () => {
      const path = `${API}/privacy/tables/${demoTableId}/refused-attempts`;
      const reversed = await http().get(path).query({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }).set(as('privacy')).expect(400);
      expect(reversed.body.invalidParams).toEqual([expect.objectContaining({ name: 'from' })]);
      const bad = await http().get(path).query({ from: '2026-03-01', limit: 0 }).set(as('privacy')).expect(400);
      expect(bad.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['from', 'limit']);
    });
  });

  describe('reading the logs is itself audited', () => {
    it('writes an audit entry for a read of the audit log, with its filter, which the next read shows', async () => {
      const filter = { action: 'audit_log.read', userId: privacyId };
      const first = await auditLog(filter);
      const second = await auditLog(filter);
      expect(second).toHaveLength(first.length + 1);
      expect(second.slice(1)).toEqual(first);
      expect(second[0]).toMatchObject({
        action: 'audit_log.read',
        actorId: privacyId,
        result: 'allowed',
        tableId: null,
        purpose: Purpose.Supervision,
        purposeLabel: expect.stringMatching(/functionaris gegevensbescherming/),
        detail: { log: 'audit_log', filter: { action: 'audit_log.read', userId: privacyId, limit: 25 }, returned: first.length },
      });
    });

    it('records the table and period asked for, and a next page as such', async () => {
      const asked = await http().get(`${API}/privacy/audit-log`).query({ tableId: demoTableId, result: 'denied', from: '2026-01-01T00:00:00Z', limit: 1 }).set(as('privacy')).expect(200);
      if (asked.body.nextCursor) await http().get(`${API}/privacy/audit-log`).query({ tableId: demoTableId, result: 'denied', from: '2026-01-01T00:00:00Z', limit: 1, cursor: asked.body.nextCursor }).set(as('privacy')).expect(200);
      const [entry] = await auditLog({ action: 'audit_log.read', tableId: demoTableId, limit: 1 });
      expect(entry.tableId).toBe(demoTableId);
      expect(entry.detail!.filter).toMatchObject({ tableId: demoTableId, result: 'denied', from: '2026-01-01T00:00:00Z', limit: 1, ...(asked.body.nextCursor ? { page: 'next' } : {}) });
    });

    it('audits a search of the processing log, without the V-number in clear or hashed', async () => {
      await http().post(`${API}/privacy/processing-log/_search`).set(as('privacy')).send({ tableId: demoTableId, operation: 'case.read' }).expect(200);
      const [read] = await auditLog({ action: 'processing_log.read', limit: 1 });
      expect(read).toMatchObject({ actorId: privacyId, tableId: demoTableId, detail: { log: 'processing_log', filter: { tableId: demoTableId, operation: 'case.read' } } });

      const vNumber = '9000000001';
      await http().post(`${API}/privacy/processing-log/_search`).set(as('privacy')).send({ vNumber }).expect(200);
      const res = await http().get(`${API}/privacy/audit-log`).query({ action: 'log.search', limit: 1 }).set(as('privacy')).expect(200);
      expect(res.body.items[0]).toMatchObject({ subjectCount: 1, detail: { log: 'processing_log', filter: { byVNumber: true } } });
      expect(res.text).not.toContain(vNumber);
      expect(res.text).not.toContain(pseudonymise(t.config.PSEUDONYM_KEY, vNumber));
      const [stored] = await t.dataSource.query(`SELECT d.detail::text AS detail FROM audit_log_detail d JOIN audit_log e USING (operation_id) WHERE e.action = 'log.search' ORDER BY e.id DESC LIMIT 1`);
      expect(stored.detail).not.toContain(vNumber);
    });

    it('audits the access review and the refused attempts too', async () => {
      await review(demoTableId);
      await http().get(`${API}/privacy/tables/${demoTableId}/refused-attempts`).set(as('privacy')).expect(200);
      const entries = await auditLog({ tableId: demoTableId, userId: privacyId, limit: 10 });
      const actions = entries.map((e) => e.action);
      expect(actions.indexOf('access_review.refused_attempts')).toBeLessThan(actions.indexOf('access_review.read'));
      expect(entries.find((e) => e.action === 'access_review.read')!.detail).toMatchObject({ review: 'access', returnedUsers: 7, returnedApiClients: 1 });
      expect(entries.find((e) => e.action === 'access_review.refused_attempts')!.detail).toMatchObject({ review: 'refused_attempts', filter: { limit: 25 } });
    });

    it('writes nothing for a refused or invalid read', async () => {
      const count = async () => Number((await t.dataSource.query(`SELECT count(*) AS n FROM audit_log_detail`))[0].n);
      const before = await count();
      await http().get(`${API}/privacy/audit-log`).query({ limit: 0 }).set(as('privacy')).expect(400);
      await http().get(`${API}/privacy/audit-log`).query({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }).set(as('privacy')).expect(400);
      await http().get(`${API}/privacy/audit-log`).set(as('coa')).expect(403);
      expect(await count()).toBe(before);
    });

    it('keeps the detail append-only', async () => {
      await expect(t.dataSource.query(`UPDATE audit_log_detail SET detail = '{}'`)).rejects.toThrow();
      await expect(t.dataSource.query(`DELETE FROM audit_log_detail`)).rejects.toThrow();
    });
  });
});
