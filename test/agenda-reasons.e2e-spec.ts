import { RequireAgendaReasonCategories1764000100000 } from '../migrations/1764000100000-require-agenda-reason-categories';
import type { QueryRunner } from 'typeorm';
import { givenCase, givenMeeting, givenTable, GivenTable, givenTableUser } from './support/factories';
import { ownerClient } from './support/test-database';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

type Json = Record<string, any>;

/**
 * Agenda reasons carry their real category on every screen that lists them. The leak this guards against:
 * the session screen had its own reason view that took every reason as deliberation, so a municipality
 * (not granted `criminal` by the default covenant) read reasons derived from offences there.
 */
describe('agenda reasons: one view, their own category, on the agenda, the session and in the database', () => {
  let t: TestApp;
  let table: GivenTable;
  let caseId: string;
  let meetingId: string;
  const token = { chair: '', police: '', municipality: '' };
  const get = (path: string, who: keyof typeof token) => t.http().get(`/api/v1${path}`).set(bearer(token[who])).expect(200);
  const itemOf = (body: Json) => body.items.find((i: Json) => (i.caseId ?? i.case?.id) === caseId);

  beforeAll(async () => {
    t = await startTestApp();
    const ds = t.dataSource;
    table = await givenTable(ds);
    for (const [who, type, role] of [['chair', 'COA', 'chair'], ['police', 'POLICE', 'member'], ['municipality', 'MUNICIPALITY', 'member']] as const) {
      token[who] = (await login(t, (await givenTableUser(ds, table, type, role)).email)).accessToken;
    }
    caseId = (await givenCase(ds, table)).id;
    // A severe offence (category criminal) and a nuisance incident (category incidents), both new to the table.
    await ds.query(
      `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at)
       VALUES ($1, $2, 'violence', 'offence', 'severe', now() - interval '1 hour'), ($1, $3, 'public_nuisance', 'nuisance', 'minor', now() - interval '1 hour')`,
      [caseId, table.organisations.POLICE, table.organisations.COA],
    );
    // The real drafting code writes the reasons; then the chair publishes and opens the meeting.
    meetingId = (await givenMeeting(ds, table, { scheduledAt: new Date(Date.now() + 6 * 86_400_000) })).id;
    const chair = bearer(token.chair);
    await t.http().post(`/api/v1/meetings/${meetingId}/agenda/_draft`).set(chair).expect(200);
    await t.http().post(`/api/v1/meetings/${meetingId}/agenda/_publish`).set(chair).expect(200);
  });
  afterAll(() => t.close());

  it('stores every drafted reason with its category', async () => {
    const [item] = await t.dataSource.query(`SELECT reasons FROM agenda_item WHERE meeting_id = $1 AND case_id = $2`, [meetingId, caseId]);
    expect(item.reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'severe_incident', detail: 'violence', category: 'criminal' }),
        expect.objectContaining({ code: 'new_incidents', detail: 'public_nuisance', category: 'incidents' }),
      ]),
    );
  });

  it('leaves a reason derived from an offence out of the session of a municipality, and shows it to the police as criminal', async () => {
    const municipality = itemOf((await get(`/meetings/${meetingId}/session`, 'municipality')).body);
    expect(municipality.reasons).toEqual([{ category: 'incidents', code: 'new_incidents', detail: 'public_nuisance', origin: 'draft' }]);
    expect(JSON.stringify(municipality)).not.toMatch(/severe_incident|violence|criminal/);

    const police = itemOf((await get(`/meetings/${meetingId}/session`, 'police')).body);
    expect(police.reasons).toContainEqual({ category: 'criminal', code: 'severe_incident', detail: 'violence', origin: 'draft' });
    expect(police.reasons).toContainEqual({ category: 'incidents', code: 'new_incidents', detail: 'public_nuisance', origin: 'draft' });
  });

  it('renders the reasons of the session exactly as those of the agenda, for every viewer', async () => {
    for (const who of ['chair', 'police', 'municipality'] as const) {
      const agenda = itemOf((await get(`/meetings/${meetingId}/agenda`, who)).body);
      const session = itemOf((await get(`/meetings/${meetingId}/session`, who)).body);
      expect(session.reasons).toEqual(agenda.reasons);
    }
  });

  it('logs the criminal category for the police read of the session, and not for the municipality', async () => {
    const logged = async (who: 'POLICE' | 'MUNICIPALITY') =>
      (
        await t.dataSource.query(
          `SELECT categories FROM audit_log WHERE action = 'session.read' AND table_id = $1 AND organisation_id = $2 ORDER BY id DESC LIMIT 1`,
          [table.id, table.organisations[who]],
        )
      )[0].categories as string[];
    expect(await logged('POLICE')).toEqual(expect.arrayContaining(['criminal', 'incidents']));
    expect(await logged('MUNICIPALITY')).not.toContain('criminal');
  });

  it('refuses a reason without a known category in the database', async () => {
    const insert = (reasons: unknown) =>
      t.dataSource.query(`INSERT INTO agenda_item (meeting_id, position, topic, reasons) VALUES ($1, 99, 'Onderwerp', $2)`, [meetingId, JSON.stringify(reasons)]);
    for (const bad of [[{ code: 'nominated' }], [{ code: 'nominated', category: 'secret' }], [{ code: 'nominated', category: 1 }], ['nominated'], {}]) {
      await expect(insert(bad)).rejects.toThrow(/agenda_item_reasons_category_check/);
    }
    await expect(insert([{ code: 'nominated', category: 'deliberation', origin: 'chair' }])).resolves.toBeDefined();
  });

  it('backfills stored reasons that lack a category, failing closed: incident reasons become criminal', async () => {
    const owner = await ownerClient(t.db);
    try {
      await owner.query(`ALTER TABLE agenda_item DROP CONSTRAINT agenda_item_reasons_category_check`);
      const other = (await givenMeeting(t.dataSource, table)).id;
      const old = [
        { code: 'severe_incident', detail: 'violence' },
        { code: 'new_incidents', detail: 'theft', category: 'unknown' },
        { code: 'overdue_actions', detail: '2' },
        { code: 'new_incidents', detail: 'public_nuisance', category: 'incidents' },
      ];
      const [{ id }] = (await owner.query(`INSERT INTO agenda_item (meeting_id, position, case_id, reasons) VALUES ($1, 1, $2, $3) RETURNING id`, [other, caseId, JSON.stringify(old)])).rows;
      const runner = { query: (sql: string) => owner.query(sql) } as unknown as QueryRunner;
      await new RequireAgendaReasonCategories1764000100000().up(runner);
      const [{ reasons }] = (await owner.query(`SELECT reasons FROM agenda_item WHERE id = $1`, [id])).rows;
      expect(reasons.map((r: Json) => [r.code, r.category])).toEqual([
        ['severe_incident', 'criminal'],
        ['new_incidents', 'criminal'],
        ['overdue_actions', 'deliberation'],
        ['new_incidents', 'incidents'],
      ]);
      const [{ n }] = (await owner.query(`SELECT count(*)::int AS n FROM pg_constraint WHERE conname = 'agenda_item_reasons_category_check'`)).rows;
      expect(n).toBe(1);
    } finally {
      await owner.end();
    }
  });
});
