import type { CreateIncidentDto } from '../src/cases/incident.dto';
import { hashRequest } from '../src/cases/incident.service';
import { givenCase, givenTable, GivenTable, givenTableUser } from './support/factories';
import { bearer, login, startTestApp, TestApp, partnerToken } from './support/test-app';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

describe('incidents and measures', () => {
  let t: TestApp;
  let table: GivenTable;
  let other: GivenTable;
  let c: { id: string; subjectId: string; reference: string };
  const token: Record<'coa' | 'police' | 'om' | 'municipality' | 'admin', string> = { coa: '', police: '', om: '', municipality: '', admin: '' };

  const count = async (sql: string, params: unknown[] = []) => (await t.dataSource.query(`SELECT count(*)::int AS n ${sql}`, params))[0].n as number;
  const incidents = () => count(`FROM incident WHERE case_id = $1`, [c.id]);
  const logged = (operation: string) => count(`FROM processing_log WHERE operation_name = $1 AND table_id = $2`, [operation, table.id]);
  const post = (path: string, who: string, body: object) => t.http().post(`/api/v1${path}`).set(bearer(who)).send(body);
  const get = (path: string, who: string) => t.http().get(`/api/v1${path}`).set(bearer(who));

  const clientToken = (scopes: string[], organisationId = table.organisations.POLICE!) => partnerToken(t, token.admin, organisationId, scopes);


  beforeAll(async () => {
    t = await startTestApp();
    table = await givenTable(t.dataSource);
    other = await givenTable(t.dataSource, { memberTypes: ['COA', 'MUNICIPALITY'] });
    c = await givenCase(t.dataSource, table);
    for (const [key, type] of [['coa', 'COA'], ['police', 'POLICE'], ['om', 'OM'], ['municipality', 'MUNICIPALITY']] as const) {
      token[key] = (await login(t, (await givenTableUser(t.dataSource, table, type)).email)).accessToken;
    }
    token.admin = (await login(t, 'admin@demo.ketentafel.nl')).accessToken;
  });
  afterAll(() => t.close());

  describe('members', () => {
    let nuisanceId: string;
    let offenceId: string;

    it('records a nuisance incident from COA, disclosed under category incidents, and logs the write', async () => {
      const before = await logged('incident.create');
      const res = await post(`/cases/${c.id}/incidents`, token.coa, { kind: 'house_rule_breach', severity: 'minor', occurredAt: hoursAgo(3), place: 'azc', victimKind: 'staff_public_duty' }).expect(201);
      expect(res.body).toMatchObject({ caseId: c.id, category: 'incidents', classification: 'nuisance', kind: 'house_rule_breach', reportedToPolice: false, place: 'azc', description: null });
      expect(res.headers.location).toBe(`/api/v1/incidents/${res.body.id}`);
      nuisanceId = res.body.id;
      expect(await logged('incident.create')).toBe(before + 1);
      const [row] = await t.dataSource.query(`SELECT source_organisation_id, recorded_by_client_id FROM incident WHERE id = $1`, [nuisanceId]);
      expect(row).toEqual({ source_organisation_id: table.organisations.COA, recorded_by_client_id: null });
    });

    it('defaults a police registration to an offence (category criminal)', async () => {
      const res = await post(`/cases/${c.id}/incidents`, token.police, { kind: 'shoplifting', severity: 'serious', occurredAt: hoursAgo(1), reportedToPolice: true }).expect(201);
      expect(res.body).toMatchObject({ classification: 'offence', category: 'criminal', reportedToPolice: true });
      offenceId = res.body.id;
    });

    it('shows the municipality the nuisance incident but not the offence, in the list and by id', async () => {
      const list = await get(`/cases/${c.id}/incidents`, token.municipality).expect(200);
      expect(list.body.map((i: { id: string }) => i.id)).toEqual([nuisanceId]);
      await get(`/incidents/${nuisanceId}`, token.municipality).expect(200);
      const hidden = await get(`/incidents/${offenceId}`, token.municipality).expect(404);
      const missing = await get('/incidents/00000000-0000-4000-8000-000000000000', token.municipality).expect(404);
      expect(hidden.body.detail).toBe(missing.body.detail);
      expect(JSON.stringify(hidden.body)).not.toContain('shoplifting');
    });

    it('shows OM the offence but not the nuisance incident; police sees both, newest first; reads are logged', async () => {
      const before = await logged('incident.list');
      const om = await get(`/cases/${c.id}/incidents`, token.om).expect(200);
      expect(om.body.map((i: { id: string }) => i.id)).toEqual([offenceId]);
      await get(`/incidents/${nuisanceId}`, token.om).expect(404);
      const police = await get(`/cases/${c.id}/incidents`, token.police).expect(200);
      expect(police.body.map((i: { id: string }) => i.id)).toEqual([offenceId, nuisanceId]);
      expect(await logged('incident.list')).toBe(before + 2);
    });

    it('refuses an offence recorded by the municipality (not granted criminal) with 403 and writes nothing', async () => {
      const before = await incidents();
      const res = await post(`/cases/${c.id}/incidents`, token.municipality, { kind: 'violence', classification: 'offence', severity: 'severe', occurredAt: hoursAgo(2) }).expect(403);
      expect(res.body).toMatchObject({ code: 'category_not_granted', categories: ['criminal'] });
      expect(await incidents()).toBe(before);
    });

    it('answers invalid input with 400 naming each field, and writes nothing', async () => {
      const before = await incidents();
      const future = new Date(Date.now() + 86_400_000).toISOString();
      const res = await post(`/cases/${c.id}/incidents`, token.coa, { kind: 'teleportation', severity: 'minor', occurredAt: future, colour: 'red' }).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const names = res.body.invalidParams.map((p: { name: string }) => p.name).sort();
      expect(names).toEqual(['colour', 'kind', 'occurredAt']);
      expect(res.body.invalidParams.find((p: { name: string }) => p.name === 'occurredAt').reason).toContain('future');
      await post(`/cases/${c.id}/incidents`, token.coa, { kind: 'theft', severity: 'minor', occurredAt: '2026-01-01' }).expect(400);
      await post(`/cases/${c.id}/incidents`, token.coa, { kind: 'theft', severity: 'minor', occurredAt: hoursAgo(1), description: 'x'.repeat(4001) }).expect(400);
      expect(await incidents()).toBe(before);
    });
  });

  describe('partner push', () => {
    let client: string;
    const body = (ref: string, extra: object = {}) => ({ caseReference: c.reference, kind: 'theft', severity: 'serious', occurredAt: '2026-03-03T21:15:00+01:00', externalReference: ref, ...extra });

    beforeAll(async () => {
      client = await clientToken(['incidents:write']);
    });

    it('records a push (201), answers the same push again with 200 and the same incident, and refuses other content (409)', async () => {
      const logsBefore = await logged('incident.create');
      const first = await post('/incidents', client, body('BVH-1', { description: 'Fiets gestolen' })).expect(201);
      expect(first.body).toMatchObject({ caseId: c.id, classification: 'offence', externalReference: 'BVH-1', sourceOrganisationId: table.organisations.POLICE });
      // The same content in another spelling (offset, explicit default) is the same push.
      const again = await post('/incidents', client, body('BVH-1', { description: 'Fiets gestolen', occurredAt: '2026-03-03T20:15:00Z', reportedToPolice: false })).expect(200);
      expect(again.body).toEqual(first.body);
      expect(await count(`FROM incident WHERE external_reference = 'BVH-1'`)).toBe(1);
      expect(await logged('incident.create')).toBe(logsBefore + 1);

      const clash = await post('/incidents', client, body('BVH-1', { description: 'Fiets en helm gestolen' })).expect(409);
      expect(clash.body).toMatchObject({ code: 'external_reference_conflict', status: 409 });
      expect(JSON.stringify(clash.body)).not.toContain('Fiets');
      const [stored] = await t.dataSource.query(`SELECT description FROM incident WHERE id = $1`, [first.body.id]);
      expect(stored.description).toBe('Fiets gestolen');
      const [log] = await t.dataSource.query(`SELECT api_client_id FROM processing_log WHERE operation_name = 'incident.create' ORDER BY id DESC LIMIT 1`);
      expect(log.api_client_id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('finds the open case by table and V-number', async () => {
      const [{ v_number }] = await t.dataSource.query(`SELECT v_number FROM subject WHERE id = $1`, [c.subjectId]);
      const res = await post('/incidents', client, { ...body('BVH-2'), caseReference: undefined, tableId: table.id, vNumber: v_number }).expect(201);
      expect(res.body.caseId).toBe(c.id);
      const both = await post('/incidents', client, { ...body('BVH-3'), tableId: table.id, vNumber: v_number }).expect(400);
      expect(both.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['caseReference']);
    });

    it('does not write to a closed case: by V-number it is not found, by reference it is 409 case_closed', async () => {
      const closed = await givenCase(t.dataSource, table, { status: 'closed' });
      const [{ v_number }] = await t.dataSource.query(`SELECT v_number FROM subject WHERE id = $1`, [closed.subjectId]);
      await post('/incidents', client, { ...body('BVH-C1'), caseReference: undefined, tableId: table.id, vNumber: v_number }).expect(404);
      const res = await post('/incidents', client, body('BVH-C2', { caseReference: closed.reference })).expect(409);
      expect(res.body.code).toBe('case_closed');
      expect(await count(`FROM incident WHERE case_id = $1`, [closed.id])).toBe(0);
    });

    it('answers two identical concurrent pushes with one 201 and one 200, storing one incident', async () => {
      const responses = await Promise.all([post('/incidents', client, body('BVH-PAIR')), post('/incidents', client, body('BVH-PAIR'))]);
      expect(responses.map((r) => r.status).sort()).toEqual([200, 201]);
      expect(responses[0].body.id).toBe(responses[1].body.id);
      expect(await count(`FROM incident WHERE external_reference = 'BVH-PAIR'`)).toBe(1);
    });

    it('answers a push whose insert lost the race (unique key) as the repeat it is', async () => {
      // An identical push is mid-transaction: our push cannot see its row yet, so it gets as far as its own insert.
      const dto = body('BVH-RACE');
      const rival = t.dataSource.createQueryRunner();
      await rival.connect();
      await rival.startTransaction();
      const [{ id }] = await rival.query(
        `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, external_reference, request_hash)
         VALUES ($1, $2, 'theft', 'offence', 'serious', $3, 'BVH-RACE', $4) RETURNING id`,
        [c.id, table.organisations.POLICE, dto.occurredAt, hashRequest(c.id, 'offence', dto as CreateIncidentDto)],
      );
      const pending = post('/incidents', client, dto).then((r) => r);
      for (let i = 0; i < 100 && (await count(`FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'`)) === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await rival.commitTransaction();
      await rival.release();
      const res = await pending;
      expect({ status: res.status, id: res.body.id }).toEqual({ status: 200, id });
      expect(await count(`FROM incident WHERE external_reference = 'BVH-RACE'`)).toBe(1);
    });

    it('requires externalReference from a partner system', async () => {
      const res = await post('/incidents', client, { ...body('x'), externalReference: undefined }).expect(400);
      expect(res.body.invalidParams).toEqual([{ name: 'externalReference', reason: expect.stringContaining('required') }]);
    });

    it('refuses a client without scope incidents:write with 403', async () => {
      const reader = await clientToken(['actions:read']);
      const res = await post('/incidents', reader, body('BVH-4')).expect(403);
      expect(res.body.code).toBe('permission_denied');
      expect(await count(`FROM incident WHERE external_reference = 'BVH-4'`)).toBe(0);
    });

    it('answers 404 alike for a case at a table where the organisation is not a member and for an unknown case', async () => {
      const foreign = await givenCase(t.dataSource, other);
      const invisible = await post('/incidents', client, body('BVH-5', { caseReference: foreign.reference })).expect(404);
      const unknown = await post('/incidents', client, body('BVH-6', { caseReference: 'NOPE-0000' })).expect(404);
      expect(invisible.body.detail).toBe(unknown.body.detail);
      await post(`/cases/${foreign.id}/incidents`, client, body('BVH-7', { caseReference: undefined })).expect(404);
      expect(await count(`FROM incident WHERE case_id = $1`, [foreign.id])).toBe(0);
    });
  });

  describe('measures', () => {
    it('serves the catalogue', async () => {
      const res = await get('/measure-types?limit=100', token.municipality).expect(200);
      expect(res.body.nextCursor).toBeNull();
      const areaBan = res.body.items.find((m: { code: string }) => m.code === 'area_ban');
      expect(areaBan).toMatchObject({ labelNl: 'Gebiedsverbod', imposedBy: ['MUNICIPALITY'], category: 'measures', defaultDurationHours: 24 });
      expect(res.body.items.find((m: { code: string }) => m.code === 'detention_for_removal')).toMatchObject({ imposedBy: ['DTV'], category: 'return' });
    });

    it('defaults an area ban to 24 hours and the imposer to the caller, and logs the write', async () => {
      const before = await logged('measure.create');
      const startsAt = '2026-03-04T09:00:00.000Z';
      const res = await post(`/cases/${c.id}/measures`, token.municipality, { type: 'area_ban', startsAt, note: 'Centrum' }).expect(201);
      expect(res.body).toMatchObject({
        type: 'area_ban', category: 'measures', startsAt, endsAt: '2026-03-05T09:00:00.000Z', imposingOrganisationId: table.organisations.MUNICIPALITY, status: 'ended',
      });
      expect(res.body.legalBasis).toContain('172a');
      expect(await logged('measure.create')).toBe(before + 1);
    });

    it('enforces the imposing organisation type and membership', async () => {
      const before = await count(`FROM measure WHERE case_id = $1`, [c.id]);
      const coa = await post(`/cases/${c.id}/measures`, token.coa, { type: 'area_ban', startsAt: hoursAgo(1) }).expect(400);
      expect(coa.body).toMatchObject({ code: 'imposing_organisation_type_mismatch', invalidParams: [{ name: 'imposingOrganisationId' }] });
      const outsider = await post(`/cases/${c.id}/measures`, token.coa, { type: 'area_ban', startsAt: hoursAgo(1), imposingOrganisationId: other.organisations.MUNICIPALITY }).expect(400);
      expect(outsider.body.code).toBe('imposing_organisation_not_member');
      const unknown = await post(`/cases/${c.id}/measures`, token.coa, { type: 'curfew', startsAt: hoursAgo(1) }).expect(400);
      expect(unknown.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['type']);
      const backwards = await post(`/cases/${c.id}/measures`, token.coa, { type: 'intensive_guidance', startsAt: hoursAgo(1), endsAt: hoursAgo(2) }).expect(400);
      expect(backwards.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['endsAt']);
      expect(await count(`FROM measure WHERE case_id = $1`, [c.id])).toBe(before);
      // The chair's COA member may record the municipality's decision on its behalf.
      await post(`/cases/${c.id}/measures`, token.coa, { type: 'reporting_duty', startsAt: hoursAgo(1), imposingOrganisationId: table.organisations.MUNICIPALITY }).expect(201);
    });

    it('hides a criminal-category measure from the municipality; only the imposer may end it', async () => {
      const zsm = await post(`/cases/${c.id}/measures`, token.om, { type: 'zsm_settlement', startsAt: hoursAgo(1) }).expect(201);
      expect(zsm.body).toMatchObject({ category: 'criminal', status: 'active', endsAt: null });
      const seenByMunicipality = await get(`/cases/${c.id}/measures`, token.municipality).expect(200);
      expect(seenByMunicipality.body.map((m: { type: string }) => m.type)).not.toContain('zsm_settlement');
      expect(seenByMunicipality.body.length).toBeGreaterThan(0);
      const seenByPolice = await get(`/cases/${c.id}/measures`, token.police).expect(200);
      expect(seenByPolice.body.map((m: { id: string }) => m.id)).toContain(zsm.body.id);

      await t.http().patch(`/api/v1/measures/${zsm.body.id}`).set(bearer(token.municipality)).send({ status: 'ended' }).expect(404);
      const byPolice = await t.http().patch(`/api/v1/measures/${zsm.body.id}`).set(bearer(token.police)).send({ status: 'ended' }).expect(403);
      expect(byPolice.body.code).toBe('not_imposing_organisation');
      const before = await logged('measure.update');
      const ended = await t.http().patch(`/api/v1/measures/${zsm.body.id}`).set(bearer(token.om)).send({ status: 'ended' }).expect(200);
      expect(ended.body.status).toBe('ended');
      expect(Date.parse(ended.body.endsAt)).toBeLessThanOrEqual(Date.now());
      await t.http().patch(`/api/v1/measures/${zsm.body.id}`).set(bearer(token.om)).send({ status: 'active' }).expect(409);
      expect(await logged('measure.update')).toBe(before + 1);
      expect(await logged('measure.list')).toBeGreaterThanOrEqual(2);
    });
  });
});
