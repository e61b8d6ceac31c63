import type { Response } from 'supertest';
import { amsterdamDate } from '../src/common/working-days';
import { seedDemoMeetings } from '../src/db/demo-meetings-seed';
import type { OrganisationType } from '../src/auth/permissions';
import { givenAction, givenAgendaItem, givenCase, givenMeeting, givenOrganisation, givenSubject, givenTable, GivenTable, givenTableUser } from './support/factories';
import { pdfText } from './support/pdf-text';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

type Json = Record<string, any>;

/** Collects a binary response body into a Buffer (supertest parses only text types by default). */
const binary = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};
const dutchDate = (instant: Date) => amsterdamDate(instant).split('-').reverse().join('-');

/** Organisations named as in real life, so that a raw code in the PDF cannot hide in a test name. */
const DUTCH_NAMES: Partial<Record<OrganisationType, string>> = {
  COA: 'COA locatie Harderwijk',
  IND: 'IND Zwolle',
  DTV: 'DT&V regio Oost',
  POLICE: 'Politie Oost-Nederland',
  OM: 'Arrondissementsparket Zwolle',
  MUNICIPALITY: 'Gemeente Harderwijk',
  CHAIN_MARINE: 'Ketenmarinier Oost',
};

/** Codes of the fixture that must never be printed in the PDF as they are (their labels differ from them). */
const RAW_CODES = [
  'severe_incident', 'new_incidents', 'nominated', 'violence', 'shoplifting', 'public_nuisance', 'nuisance_during_procedure', 'cooperation',
  'POLICE', 'MUNICIPALITY', 'CHAIN_MARINE', 'DTV', 'htl_placement', 'proposed', 'escalated', 'zsm_settlement', 'reporting_duty',
  'criminal', 'incidents', 'deliberation', 'identity', 'measures',
];

describe('minutes: closing a meeting, per-viewer minutes as JSON and PDF, addenda', () => {
  let t: TestApp;
  let table: GivenTable;
  let meetingId: string;
  let itemId: string;
  let subjectId: string;
  const scheduledAt = new Date(Date.now() - 45 * 60_000);
  const token: Record<'chair' | 'police' | 'municipality' | 'outsider', string> = { chair: '', police: '', municipality: '', outsider: '' };
  const orgName: Record<string, string> = {};

  const http = () => t.http();
  const as = (who: keyof typeof token) => bearer(token[who]);
  const minutesJson = async (who: keyof typeof token) => (await http().get(`/api/v1/meetings/${meetingId}/minutes`).set(as(who)).expect(200)).body as Json;
  const minutesPdf = async (who: keyof typeof token): Promise<Response> =>
    http().get(`/api/v1/meetings/${meetingId}/minutes`).set(as(who)).set('Accept', 'application/pdf').buffer(true).parse(binary);

  beforeAll(async () => {
    t = await startTestApp();
    const ds = t.dataSource;
    const organisations: Partial<Record<OrganisationType, string>> = {};
    for (const [type, name] of Object.entries(DUTCH_NAMES)) organisations[type as OrganisationType] = await givenOrganisation(ds, type as OrganisationType, `${name} ${Date.now()}`);
    table = await givenTable(ds, { name: `LKO Notulentest ${Date.now()}`, organisations });
    const chair = await givenTableUser(ds, table, 'COA', 'chair');
    const police = await givenTableUser(ds, table, 'POLICE');
    const municipality = await givenTableUser(ds, table, 'MUNICIPALITY');
    const outsider = await givenTableUser(ds, await givenTable(ds), 'POLICE');
    for (const [who, user] of Object.entries({ chair, police, municipality, outsider })) token[who as keyof typeof token] = (await login(t, user.email)).accessToken;
    for (const row of await ds.query(`SELECT id, name FROM organisation WHERE id = ANY($1::uuid[])`, [Object.values(table.organisations)])) orgName[row.id] = row.name;

    const subject = await givenSubject(ds, { familyName: 'Notulenpersoon', givenNames: 'Q.' });
    subjectId = subject.id;
    const c = await givenCase(ds, table, { subjectId, procedureStage: 'AA-procedure dag 5' });
    meetingId = (await givenMeeting(ds, table, { status: 'in_session', scheduledAt })).id;
    // As the draft stores them: an offence is a criminal reason, nuisance incidents are incidents, a nomination is deliberation.
    const reasons = [
      { code: 'severe_incident', detail: 'violence', category: 'criminal', origin: 'draft' },
      { code: 'new_incidents', detail: 'public_nuisance, shoplifting', category: 'incidents', origin: 'draft' },
      { code: 'nominated', detail: 'nuisance_during_procedure: Aangemeld door de gemeente', category: 'deliberation', origin: 'draft' },
    ] as const;
    itemId = (await givenAgendaItem(ds, meetingId, { caseId: c.id, reasons: [...reasons] })).id;
    await givenAgendaItem(ds, meetingId, { topic: 'Werkafspraken met de vervoerder', reasons: [{ code: 'nominated', detail: 'cooperation', category: 'deliberation', origin: 'draft' }] });
    await ds.query(
      `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, meeting_id, agenda_item_id, reason)
       VALUES ($1, 'htl_placement', 'COA', $2, $3, $4, 'Herhaald geweld tegen medewerkers')`,
      [c.id, table.organisations.COA, meetingId, itemId],
    );
    await ds.query(`UPDATE agenda_item SET decision_text = 'Plaatsing in de HTL voorstellen.', outcome = 'escalated' WHERE id = $1`, [itemId]);
    const action = await givenAction(ds, c.id, table.organisations.POLICE!, { meetingId, description: 'Dossier aanleveren bij het OM.' });
    await ds.query(`UPDATE action SET agenda_item_id = $2 WHERE id = $1`, [action.id, itemId]);
    await ds.query(
      `INSERT INTO attendance (meeting_id, organisation_id, present, note) VALUES ($1, $2, true, NULL), ($1, $3, true, NULL), ($1, $4, false, 'Afgemeld')`,
      [meetingId, table.organisations.COA, table.organisations.POLICE, table.organisations.MUNICIPALITY],
    );
    await ds.query(
      `INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at, status) VALUES
         ($1, 'zsm_settlement', $2, 'Art. 257a Sv', now(), 'active'), ($1, 'reporting_duty', $3, 'Gemeentewet art. 172a', now(), 'active')`,
      [c.id, table.organisations.OM, table.organisations.MUNICIPALITY],
    );
  });
  afterAll(() => t.close());

  it('has no minutes while the meeting is open (409), and lets only the chair of its own table close it', async () => {
    const open = await http().get(`/api/v1/meetings/${meetingId}/minutes`).set(as('police')).expect(409);
    expect(open.body.code).toBe('minutes_not_available');
    expect((await http().post(`/api/v1/meetings/${meetingId}/_close`).set(as('police')).expect(403)).body.code).toBe('chair_only');
    await http().post(`/api/v1/meetings/${meetingId}/_close`).set(as('outsider')).expect(404);
    const [row] = await t.dataSource.query(`SELECT status, minutes FROM meeting WHERE id = $1`, [meetingId]);
    expect(row).toEqual({ status: 'in_session', minutes: null });
  });

  it('closes the meeting, freezes minutes whose every personal value carries its category, raises the event and logs the write', async () => {
    const res = await http().post(`/api/v1/meetings/${meetingId}/_close`).set(as('chair')).expect(200);
    expect(res.body.items).toHaveLength(2);
    const [row] = await t.dataSource.query(`SELECT status, closed_at, minutes FROM meeting WHERE id = $1`, [meetingId]);
    expect(row.status).toBe('closed');
    expect(row.closed_at).toBeTruthy();
    const item = row.minutes.items[0];
    // Format 2: no identity is frozen; the reader looks the person up (README, "Retention and erasure").
    expect(row.minutes.format).toBe(2);
    expect(item.case).not.toHaveProperty('subject');
    expect(JSON.stringify(row.minutes)).not.toContain('Notulenpersoon');
    expect(res.body.items[0].case.subject.familyName).toBe('Notulenpersoon');
    expect(item.case.procedureStage).toEqual({ category: 'procedure', value: 'AA-procedure dag 5' });
    expect(item.reasons.map((r: Json) => r.category)).toEqual(['criminal', 'incidents', 'deliberation']);
    expect(item.decisionText).toEqual({ category: 'deliberation', value: 'Plaatsing in de HTL voorstellen.' });
    expect(item.actions).toEqual([{ category: 'deliberation', value: expect.objectContaining({ description: 'Dossier aanleveren bij het OM.', ownerOrganisationName: orgName[table.organisations.POLICE!] }) }]);
    expect(item.measures.map((x: Json) => [x.category, x.value.type])).toEqual(expect.arrayContaining([['criminal', 'zsm_settlement'], ['measures', 'reporting_duty']]));
    expect(row.minutes.items[1].topic).toEqual({ category: 'deliberation', value: 'Werkafspraken met de vervoerder' });

    const events = await t.dataSource.query(`SELECT payload FROM domain_event WHERE type = 'meeting.closed' AND aggregate_id = $1`, [meetingId]);
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0].payload)).not.toContain('Notulenpersoon');
    const logged = await t.dataSource.query(`SELECT count(*)::int AS n FROM processing_log WHERE operation_name = 'meeting.close' AND table_id = $1`, [table.id]);
    expect(logged[0].n).toBe(1);
  });

  it('refuses to close twice and refuses any change to the closed meeting row', async () => {
    expect((await http().post(`/api/v1/meetings/${meetingId}/_close`).set(as('chair')).expect(409)).body.code).toBe('illegal_meeting_status');
    await expect(t.dataSource.query(`UPDATE meeting SET location = 'elders' WHERE id = $1`, [meetingId])).rejects.toThrow(/closed/);
    await expect(t.dataSource.query(`DELETE FROM meeting WHERE id = $1`, [meetingId])).rejects.toThrow(/closed/);
    // The erasure exception is scoped: with its flag set, the minutes may change, but nothing else of the row, and no delete.
    await t.dataSource.transaction(async (m) => {
      await m.query(`SELECT set_config('ketentafel.minutes_erasure', 'on', true)`);
      await expect(m.query(`UPDATE meeting SET location = 'elders' WHERE id = $1`, [meetingId])).rejects.toThrow(/closed/);
    });
    await t.dataSource.transaction(async (m) => {
      await m.query(`SELECT set_config('ketentafel.minutes_erasure', 'on', true)`);
      await expect(m.query(`DELETE FROM meeting WHERE id = $1`, [meetingId])).rejects.toThrow(/closed/);
    });
  });

  it('shows police and municipality minutes that differ exactly by the covenant categories', async () => {
    const police = await minutesJson('police');
    const municipality = await minutesJson('municipality');
    const item = police.items[0];
    // Present for police: the criminal reason, the procedure stage and the criminal measure.
    expect(item.reasons).toContainEqual({ category: 'criminal', code: 'severe_incident', detail: 'violence', origin: 'draft' });
    expect(item.case.procedureStage).toBe('AA-procedure dag 5');
    expect(item.measures.map((x: Json) => x.type)).toContain('zsm_settlement');
    // Shared by both: identity, decision, actions, the deliberation reason.
    for (const view of [police, municipality]) {
      expect(view.items[0].case.subject.familyName).toBe('Notulenpersoon');
      expect(view.items[0].decisionText).toBe('Plaatsing in de HTL voorstellen.');
      expect(view.items[0].actions[0].description).toBe('Dossier aanleveren bij het OM.');
      expect(view.items[0].reasons).toContainEqual({ category: 'deliberation', code: 'nominated', detail: 'nuisance_during_procedure: Aangemeld door de gemeente', origin: 'draft' });
      expect(view.items[0].reasons).toContainEqual({ category: 'incidents', code: 'new_incidents', detail: 'public_nuisance, shoplifting', origin: 'draft' });
    }
    const expected = structuredClone(police);
    delete expected.items[0].case.procedureStage;
    expected.items[0].reasons = item.reasons.filter((r: Json) => r.category !== 'criminal');
    expected.items[0].measures = item.measures.filter((x: Json) => x.category !== 'criminal');
    expect(municipality).toEqual(expected);
    expect('procedureStage' in municipality.items[0].case).toBe(false);

    const reads = await t.dataSource.query(`SELECT count(*)::int AS n FROM processing_log WHERE operation_name = 'minutes.read' AND table_id = $1`, [table.id]);
    expect(reads[0].n).toBe(2);
  });

  it('renders a PDF per viewer: table, date and attendance on the first page, only what the viewer may see, named in the footer', async () => {
    const police = await minutesPdf('police');
    const municipality = await minutesPdf('municipality');
    for (const res of [police, municipality]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/pdf/);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="notulen-${amsterdamDate(scheduledAt)}.pdf"`);
    }
    const p = pdfText(police.body as Buffer);
    const g = pdfText(municipality.body as Buffer);
    expect(p.pages[0]).toContain(`Notulen LKO Notulentest`);
    expect(p.pages[0]).toContain(dutchDate(scheduledAt));
    // A table cell may wrap, so any run of white space separates the words.
    const row = (...cells: string[]) => new RegExp(cells.join(' ').split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+'));
    expect(p.pages[0]).toMatch(row(orgName[table.organisations.POLICE!], 'Politie aanwezig'));
    expect(p.pages[0]).toMatch(row(orgName[table.organisations.MUNICIPALITY!], 'Gemeente afwezig Afgemeld'));
    expect(p.pages[0]).toMatch(row(orgName[table.organisations.OM!], 'Openbaar Ministerie niet geregistreerd'));
    expect(p.pages[0]).not.toContain('Notulenpersoon');
    for (const text of [p.text, g.text]) {
      expect(text).toContain('Notulenpersoon');
      expect(text).toContain('Plaatsing in de HTL voorstellen.');
      expect(text).toContain('Dossier aanleveren bij het OM.');
    }
    expect(p.text).toContain('Ernstig incident: geweld');
    expect(p.text).toContain('AA-procedure dag 5');
    expect(g.text).not.toContain('Ernstig incident');
    expect(g.text).not.toContain('AA-procedure dag 5');
    expect(p.text).toContain('ZSM-afdoening');
    expect(g.text).not.toContain('ZSM-afdoening');
    expect(g.text).toContain('Meldplicht');
    // A Dutch document: labels, never the codes of the fixture.
    for (const text of [p.text, g.text]) {
      expect(text).toContain('Nieuwe incidenten: overlast, winkeldiefstal');
      expect(text).toContain('Aangemeld (overlast tijdens de procedure): Aangemeld door de gemeente');
      expect(text).toContain('Aangemeld (samenwerking)');
      expect(text).toContain('Uitkomst: Opgeschaald');
      expect(text).toContain('Plaatsing HTL (voorgesteld): Herhaald geweld tegen medewerkers');
      expect(RAW_CODES.filter((code) => new RegExp(`\\b${code}\\b`).test(text))).toEqual([]);
    }
    expect(p.text).toContain(`Vertrouwelijk — weergave voor ${orgName[table.organisations.POLICE!]}`);
    expect(g.text).toContain(`Vertrouwelijk — weergave voor ${orgName[table.organisations.MUNICIPALITY!]}`);
    expect(g.text).not.toContain(`weergave voor ${orgName[table.organisations.POLICE!]}`);
  });

  it('answers 404 to a member of another table and 406 to an Accept it cannot serve', async () => {
    await http().get(`/api/v1/meetings/${meetingId}/minutes`).set(as('outsider')).expect(404);
    await http().post(`/api/v1/meetings/${meetingId}/minutes/addenda`).set(as('outsider')).send({ text: 'x' }).expect(404);
    await http().get(`/api/v1/meetings/00000000-0000-4000-8000-000000000000/minutes`).set(as('police')).expect(404);
    await http().get(`/api/v1/meetings/${meetingId}/minutes`).set(as('police')).set('Accept', 'text/html').expect(406);
  });

  it('takes addenda from the chair only, shows them after the frozen minutes in JSON and PDF, and never changes the minutes', async () => {
    const before = (await t.dataSource.query(`SELECT minutes FROM meeting WHERE id = $1`, [meetingId]))[0].minutes;
    const member = await http().post(`/api/v1/meetings/${meetingId}/minutes/addenda`).set(as('police')).send({ text: 'Aanvulling' }).expect(403);
    expect(member.body.code).toBe('chair_only');
    const invalid = await http().post(`/api/v1/meetings/${meetingId}/minutes/addenda`).set(as('chair')).send({ text: '', extra: 1 }).expect(400);
    expect(invalid.body.invalidParams.map((p: Json) => p.name).sort()).toEqual(['extra', 'text']);
    const foreign = await http().post(`/api/v1/meetings/${meetingId}/minutes/addenda`).set(as('chair')).send({ text: 'x', agendaItemId: '00000000-0000-4000-8000-000000000000' }).expect(400);
    expect(foreign.body.invalidParams).toEqual([{ name: 'agendaItemId', reason: 'is not an item of this meeting' }]);

    const created = await http()
      .post(`/api/v1/meetings/${meetingId}/minutes/addenda`)
      .set(as('chair'))
      .send({ text: 'Correctie: de HTL-plaatsing wordt pas na het volgende incident voorgesteld.', agendaItemId: itemId })
      .expect(201);
    expect(created.body).toEqual({ id: expect.any(String), agendaItemId: itemId, text: expect.stringContaining('Correctie'), createdAt: expect.any(String) });
    const after = (await t.dataSource.query(`SELECT minutes FROM meeting WHERE id = $1`, [meetingId]))[0].minutes;
    expect(after).toEqual(before);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM domain_event WHERE type = 'minutes.addendum_added' AND aggregate_id = $1`, [meetingId]))[0].n).toBe(1);

    for (const who of ['police', 'municipality'] as const) {
      const json = await minutesJson(who);
      expect(json.addenda).toEqual([created.body]);
      expect(json.items[0].decisionText).toBe('Plaatsing in de HTL voorstellen.');
      expect(pdfText((await minutesPdf(who)).body as Buffer).text).toContain('Correctie: de HTL-plaatsing wordt pas na het volgende incident voorgesteld.');
    }
  });

  it('refuses an addendum on a meeting that is not closed (409)', async () => {
    const open = await givenMeeting(t.dataSource, table, { status: 'in_session' });
    const res = await http().post(`/api/v1/meetings/${open.id}/minutes/addenda`).set(as('chair')).send({ text: 'Te vroeg' }).expect(409);
    expect(res.body.code).toBe('illegal_meeting_status');
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM minutes_addendum WHERE meeting_id = $1`, [open.id]))[0].n).toBe(0);
  });

  it('seeds demo meetings: last Tuesday closed with frozen minutes, the next four weekly on Tuesday 10:00, the first published', async () => {
    const ds = t.dataSource;
    const demo = await givenTable(ds);
    await givenTableUser(ds, demo, 'COA', 'chair');
    const gemeente = await givenTableUser(ds, demo, 'MUNICIPALITY');
    const intake = await givenCase(ds, demo, { status: 'intake' });
    const active = await givenCase(ds, demo, { status: 'active' });
    await givenCase(ds, demo, { status: 'closed' });
    await ds.query(
      `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at) VALUES ($1, $2, 'violence', 'offence', 'severe', now() - interval '10 minutes')`,
      [intake.id, demo.organisations.POLICE],
    );
    await ds.transaction((m) => seedDemoMeetings(m, demo.id, new Date()));

    const meetings = await ds.query(
      `SELECT id, status, scheduled_at, cadence_slot, minutes FROM meeting WHERE table_id = $1 ORDER BY scheduled_at`,
      [demo.id],
    );
    expect(meetings.map((x: Json) => x.status)).toEqual(['closed', 'agenda_published', 'planned', 'planned', 'planned']);
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    for (const x of meetings) {
      expect(local.format(x.scheduled_at)).toBe('Tue 10:00');
      expect(x.cadence_slot).toEqual(x.scheduled_at);
    }
    expect(meetings[0].scheduled_at.getTime()).toBeLessThan(Date.now());
    expect(meetings[1].scheduled_at.getTime()).toBeGreaterThan(Date.now());

    const closed = meetings[0];
    expect(closed.minutes.items.length).toBeGreaterThanOrEqual(3);
    expect(closed.minutes.attendance.some((a: Json) => a.present === false)).toBe(true);
    const agreed = await ds.query(
      `SELECT o.type, a.due_date < (now() AT TIME ZONE 'Europe/Amsterdam')::date AS overdue
         FROM action a JOIN organisation o ON o.id = a.owner_organisation_id WHERE a.meeting_id = $1`,
      [closed.id],
    );
    expect(new Set(agreed.map((a: Json) => a.type))).toEqual(new Set(['COA', 'POLICE', 'MUNICIPALITY']));
    expect(agreed.filter((a: Json) => a.overdue)).toHaveLength(1);

    // The published agenda follows the draft order: the escalation proposal and the severe offence first, overdue actions next.
    const items = await ds.query(`SELECT case_id, reasons FROM agenda_item WHERE meeting_id = $1 ORDER BY position`, [meetings[1].id]);
    expect(items.map((i: Json) => i.case_id).sort()).toEqual([intake.id, active.id].sort());
    expect(items[0].reasons[0].code).toMatch(/^(escalation_proposed|severe_incident)$/);
    expect(items.flatMap((i: Json) => i.reasons).filter((r: Json) => r.code === 'severe_incident')).toEqual([expect.objectContaining({ category: 'criminal' })]);
    expect(items.flatMap((i: Json) => i.reasons.map((r: Json) => r.code))).toContain('overdue_actions');

    // The seeded minutes are read through the same endpoint as any other.
    const res = await http().get(`/api/v1/meetings/${closed.id}/minutes`).set(bearer((await login(t, gemeente.email)).accessToken)).expect(200);
    expect(res.body.items.length).toBe(closed.minutes.items.length);
    expect(res.body.items.flatMap((i: Json) => i.reasons).some((r: Json) => r.category === 'criminal')).toBe(false);
  });
});
