import fc from 'fast-check';
import type { OrganisationType } from '../src/auth/permissions';
import { CaseDetailView, CaseListItemView, SubjectView } from '../src/cases/case-view';
import { CATEGORIES, Category, DEFAULT_MATRIX, MEMBER_ORGANISATION_TYPES, MemberOrganisationType } from '../src/sharing/categories';
import { categoryTags, notPersonalFields, PER_RECORD } from '../src/sharing/disclosure';
import { GrantInput, saveCovenantVersion } from '../src/tables/covenant-writer';
import { givenCase, givenOrganisation, givenTable, GivenTable, givenTableUser, givenUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

type Json = Record<string, unknown>;

/**
 * A case holding data of every category, so that each category has a probe that is present in a
 * response exactly when the viewer's organisation is granted that category.
 */
async function givenFullCase(t: TestApp, table: GivenTable) {
  const c = await givenCase(t.dataSource, table, { careNotes: 'Kwetsbaar (test)', procedureStage: 'AA-procedure' });
  const ds = t.dataSource;
  const org = (type: OrganisationType) => table.organisations[type]!;
  await ds.query(`INSERT INTO case_deadline (case_id, kind, due_date) VALUES ($1, 'departure_period_end', current_date + 20)`, [c.id]);
  await ds.query(`INSERT INTO case_strategy (case_id, revision, kind, text) VALUES ($1, 1, 'nuisance', 'Lik-op-stuk')`, [c.id]);
  await ds.query(
    `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, description) VALUES
       ($1, $2, 'house_rule_breach', 'nuisance', 'minor', now() - interval '1 day', 'nuisance probe'),
       ($1, $3, 'shoplifting', 'offence', 'serious', now() - interval '2 days', 'offence probe')`,
    [c.id, org('COA'), org('POLICE')],
  );
  await ds.query(
    `INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at, ends_at, status) VALUES
       ($1, 'area_ban', $2, 'Art. 172a Gemeentewet', now(), now() + interval '1 day', 'active'),
       ($1, 'zsm_settlement', $3, 'Art. 257a Sv', now(), NULL, 'active'),
       ($1, 'detention_for_removal', $4, 'Art. 59 Vw', now(), NULL, 'planned')`,
    [c.id, org('MUNICIPALITY'), org('OM'), org('DTV')],
  );
  return c;
}

/** What a viewer saw of the case, per category, through the detail, list, incidents and measures responses. */
async function observe(t: TestApp, token: string, tableId: string, caseId: string) {
  const auth = bearer(token);
  const detail = (await t.http().get(`/api/v1/cases/${caseId}`).set(auth).expect(200)).body as Json;
  const list = (await t.http().get(`/api/v1/tables/${tableId}/cases`).set(auth).expect(200)).body.items as Json[];
  const incidents = (await t.http().get(`/api/v1/cases/${caseId}/incidents`).set(auth).expect(200)).body.items as Json[];
  const measures = (await t.http().get(`/api/v1/cases/${caseId}/measures`).set(auth).expect(200)).body.items as Json[];
  const item = list.find((i) => i.id === caseId)!;
  const subject = (detail.subject ?? {}) as Json;
  const seen: Record<Category, boolean> = {
    identity: 'vNumber' in subject && 'familyName' in subject,
    residence: 'receptionLocation' in detail && 'transfers' in detail,
    procedure: 'procedureStage' in detail && 'indPriority' in detail,
    incidents: incidents.some((i) => i.category === 'incidents' && i.description === 'nuisance probe'),
    criminal: incidents.some((i) => i.category === 'criminal' && i.description === 'offence probe') && measures.some((m) => m.type === 'zsm_settlement'),
    measures: measures.some((m) => m.type === 'area_ban'),
    care: 'careNotes' in detail,
    return: ((detail.deadlines as Json[]) ?? []).some((d) => d.kind === 'departure_period_end') && measures.some((m) => m.type === 'detention_for_removal'),
    deliberation: 'status' in detail && 'strategies' in detail,
  };
  // The list shows the same under the same covenant.
  const listSeen = { identity: 'vNumber' in ((item.subject ?? {}) as Json), deliberation: 'status' in item };
  return { seen, listSeen, detail, item, incidents, measures };
}

/** Every key of a response object must belong to a category the viewer is granted (or be non-personal). */
function leakedFields(view: Json, cls: abstract new () => object, granted: Set<Category>): string[] {
  const tags = categoryTags(cls);
  const open = notPersonalFields(cls);
  return Object.keys(view).filter((k) => {
    if (open.has(k)) return false;
    const tag = tags.get(k);
    return !tag || (tag !== PER_RECORD && !granted.has(tag));
  });
}

describe('disclosure: every organisation sees exactly what the covenant grants', () => {
  let t: TestApp;
  let table: GivenTable;
  let caseId: string;
  const tokens = new Map<MemberOrganisationType, string>();

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    table = await givenTable(t.dataSource, { memberTypes: [...MEMBER_ORGANISATION_TYPES] });
    caseId = (await givenFullCase(t, table)).id;
    for (const type of MEMBER_ORGANISATION_TYPES) {
      const user = await givenTableUser(t.dataSource, table, type, type === 'COA' ? 'chair' : 'member');
      tokens.set(type, (await login(t, user.email)).accessToken);
    }
  }, 60_000);
  afterAll(() => t.close());

  it.each(MEMBER_ORGANISATION_TYPES.map((type) => [type]))('matrix under the default covenant: %s', async (type) => {
    const { seen, listSeen, detail, item, incidents, measures } = await observe(t, tokens.get(type)!, table.id, caseId);
    const expected = Object.fromEntries(CATEGORIES.map((c) => [c, DEFAULT_MATRIX[c].includes(type)]));
    expect(seen).toEqual(expected);
    expect(listSeen).toEqual({ identity: expected.identity, deliberation: expected.deliberation });
    const granted = new Set(CATEGORIES.filter((c) => expected[c]));
    expect(leakedFields(detail, CaseDetailView, granted)).toEqual([]);
    expect(leakedFields(item, CaseListItemView, granted)).toEqual([]);
    for (const i of [...incidents, ...measures]) expect(granted.has(i.category as Category)).toBe(true);
  });

  it('property: for random covenants and viewers no response holds a field outside the grants, and non-members get 404', async () => {
    const outsiderOrg = await givenOrganisation(t.dataSource, 'POLICE');
    const outsider = (await login(t, (await givenUser(t.dataSource, outsiderOrg)).email)).accessToken;
    const grantsArb = fc.uniqueArray(
      fc.record({ organisationType: fc.constantFrom(...MEMBER_ORGANISATION_TYPES), category: fc.constantFrom(...CATEGORIES) }),
      { selector: (g) => `${g.organisationType}/${g.category}`, maxLength: 60 },
    );
    await fc.assert(
      fc.asyncProperty(grantsArb, fc.constantFrom(...MEMBER_ORGANISATION_TYPES), async (pairs, viewer) => {
        const grants: GrantInput[] = pairs.map((p) => ({ ...p, lawfulGround: 'public_task', legalBasis: 'Art. 6 lid 1 sub e AVG (test)' }));
        await t.dataSource.transaction((m) => saveCovenantVersion(m, table.id, grants, null, 'property test'));
        const granted = new Set(pairs.filter((p) => p.organisationType === viewer).map((p) => p.category));
        const { seen, detail, item, incidents, measures } = await observe(t, tokens.get(viewer)!, table.id, caseId);
        for (const c of CATEGORIES) expect([c, seen[c]]).toEqual([c, granted.has(c)]);
        expect(leakedFields(detail, CaseDetailView, granted)).toEqual([]);
        expect(leakedFields(item, CaseListItemView, granted)).toEqual([]);
        expect(leakedFields((detail.subject as Json) ?? {}, SubjectView, granted)).toEqual([]);
        for (const r of [...incidents, ...measures]) expect(granted.has(r.category as Category)).toBe(true);
        await t.http().get(`/api/v1/cases/${caseId}`).set(bearer(outsider)).expect(404);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
