import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Response } from 'supertest';
import { GlobalRole } from '../src/auth/permissions';
import { QueueName, RetentionJob } from '../src/jobs/queues';
import { RETENTION_SWEEP_PATTERN, SCHEDULES } from '../src/jobs/scheduler.service';
import { RetentionService } from '../src/privacy/retention.service';
import { pseudonymise } from '../src/sharing/pseudonym';
import { setClock } from './support/clock';
import { givenAgendaItem, givenOrganisation, givenSubject, givenTable, GivenTable, givenTableUser, givenUser } from './support/factories';
import { pdfText } from './support/pdf-text';
import { bearer, login, startTestApp, TestApp } from './support/test-app';
import { sealAndVerifyLogs } from './support/logs';

/**
 * The retention sweep (issue 10 item 2, DOMAIN.md sections 7 and 8) with a moved clock: closed cases past their
 * table's retention period are erased (the person too, once none of their cases is left), one job per case
 * through the queue; a legal hold that stands, a restriction and a period not yet passed keep the data;
 * aggregates and both logs survive (the verifier still passes), and the frozen minutes no longer show the person.
 */

type Json = Record<string, any>;
const CLOSED = '2025-01-10T10:00:00Z';
/** 25 months after CLOSED: past the default 24. */
const SWEEP_AT = '2027-02-15T10:00:00Z';

const binary = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('retention: the nightly sweep erases closed cases past the covenant period', () => {
  let t: TestApp;
  let table: GivenTable;
  let yearly: GivenTable;
  let chair: string;
  let officer: string;
  const people: Record<string, { id: string; vNumber: string; family: string }> = {};
  const cases: Record<string, string> = {};
  let meetingId: string;
  let heldId: string;

  const q = <T = Json>(sql: string, params: unknown[] = []): Promise<T[]> => t.dataSource.query(sql, params);
  const retention = () => t.app.get(RetentionService);

  async function person(key: string) {
    const family = `Bewaar-${key}-${Math.random().toString(36).slice(2, 8)}`;
    people[key] = { ...(await givenSubject(t.dataSource, { familyName: family })), family };
    return people[key].id;
  }

  /** A closed case with the data erasure removes and the aggregates it keeps. */
  async function closedCase(key: string, at: GivenTable, subjectId: string, closedAt = CLOSED) {
    const [c] = await q<{ id: string }>(
      `INSERT INTO case_file (table_id, subject_id, reference, status, opened_at, closed_at, care_notes)
       VALUES ($1, $2, $3, 'closed', '2024-06-01T10:00:00Z', $4, 'Zorgnotitie') RETURNING id`,
      [at.id, subjectId, `${at.prefix}-R-${key}`, closedAt],
    );
    await q(
      `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, place, description, reported_to_police, external_reference)
       VALUES ($1, $2, 'violence', 'offence', 'severe', '2024-07-01T10:00:00Z', 'Stationsplein', 'Sloeg een medewerker', true, $3),
              ($1, $4, 'house_rule_breach', 'nuisance', 'minor', '2024-08-01T10:00:00Z', 'Gang B', 'Geluidsoverlast', false, NULL)`,
      [c.id, at.organisations.POLICE, `BVH-${key}-${c.id.slice(0, 8)}`, at.organisations.COA],
    );
    await q(
      `INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at, status, note, created_at) VALUES
         ($1, 'zsm_settlement', $2, 'Sv', '2024-07-02T10:00:00Z', 'ended', 'Strafbeschikking uitgevaardigd', '2024-07-02T10:00:00Z'),
         ($1, 'intensive_guidance', $3, 'Wet COA', '2024-07-03T10:00:00Z', 'ended', 'Begeleiding afgerond', '2024-07-03T10:00:00Z')`,
      [c.id, at.organisations.OM, at.organisations.COA],
    );
    await q(`INSERT INTO case_status_change (case_id, from_status, to_status, changed_at) VALUES ($1, 'active', 'closed', $2)`, [c.id, closedAt]);
    cases[key] = c.id;
    return c.id;
  }

  const aggregates = async () => ({
    incidents: await q(`SELECT case_id, kind, classification, severity, occurred_at, reported_to_police FROM incident WHERE case_id = ANY($1) ORDER BY id`, [Object.values(cases)]),
    measures: await q(`SELECT case_id, type, status, starts_at FROM measure WHERE case_id = ANY($1) ORDER BY id`, [Object.values(cases)]),
    cases: await q(`SELECT id, table_id, status, opened_at, closed_at, reference FROM case_file WHERE id = ANY($1) ORDER BY id`, [Object.values(cases)]),
    history: await q(`SELECT case_id, to_status, changed_at FROM case_status_change WHERE case_id = ANY($1) ORDER BY id`, [Object.values(cases)]),
  });

  /** Waits (bounded) until the cases are erased by the queue's jobs. */
  async function erased(keys: string[], ms = 20_000) {
    const ids = keys.map((k) => cases[k]);
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const [{ n }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM case_file WHERE id = ANY($1) AND erased_at IS NOT NULL`, [ids]);
      if (n === ids.length) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`not erased within ${ms} ms: ${keys.join(', ')}`);
  }

  const isErased = async (key: string) => (await q<{ erased_at: Date | null }>(`SELECT erased_at FROM case_file WHERE id = $1`, [cases[key]]))[0].erased_at !== null;

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    table = await givenTable(t.dataSource);
    yearly = await givenTable(t.dataSource);
    await q(`UPDATE chain_table SET retention_months = 12 WHERE id = $1`, [yearly.id]);
    chair = (await login(t, (await givenTableUser(t.dataSource, table, 'COA', 'chair')).email)).accessToken;
    const administration = await givenOrganisation(t.dataSource, 'ADMINISTRATION');
    officer = (await login(t, (await givenUser(t.dataSource, administration, [GlobalRole.PrivacyOfficer])).email)).accessToken;

    await closedCase('alone', table, await person('alone'));
    // A person whose other case (at another table) is still open: only the closed case goes.
    await closedCase('other', table, await person('other'));
    const [open] = await q<{ id: string }>(`INSERT INTO case_file (table_id, subject_id, reference, status, care_notes) VALUES ($1, $2, 'OPEN-1', 'active', 'Nog lopend') RETURNING id`, [
      yearly.id,
      people.other.id,
    ]);
    cases.open = open.id;
    await closedCase('held', table, await person('held'));
    await closedCase('lapsed', table, await person('lapsed'));
    await closedCase('recent', table, await person('recent'), '2025-03-20T10:00:00Z');
    await closedCase('restricted', table, await person('restricted'));
    await q(`UPDATE subject SET restricted_at = now() WHERE id = $1`, [people.restricted.id]);
    await closedCase('yearly', yearly, await person('yearly'), '2026-01-10T10:00:00Z');

    // Legal holds: one that stands past the sweep, one that ended before it.
    const hold = async (key: string, endsOn: string) =>
      (await t.http().post('/api/v1/privacy/legal-holds').set(bearer(officer)).send({ caseId: cases[key], reason: 'Lopende procedure.', endsOn }).expect(201)).body.id as string;
    heldId = await hold('held', '2030-01-01');
    const lapsedHold = await hold('lapsed', '2026-12-31');
    expect(lapsedHold).toBeTruthy();

    // Minutes frozen at a meeting that discussed the lone person's case: a criminal reason, a criminal measure.
    const [meeting] = await q<{ id: string }>(
      `INSERT INTO meeting (table_id, scheduled_at, status, agenda_published_at, opened_at) VALUES ($1, now() - interval '2 hours', 'in_session', now() - interval '1 day', now() - interval '1 hour') RETURNING id`,
      [table.id],
    );
    meetingId = meeting.id;
    await givenAgendaItem(t.dataSource, meetingId, {
      caseId: cases.alone,
      reasons: [
        { code: 'severe_incident', detail: 'violence', category: 'criminal', origin: 'draft' },
        { code: 'progress_stalled', detail: 'Geen voortgang', category: 'deliberation', origin: 'chair' },
      ],
    });
    await q(`INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at, note) VALUES ($1, 'zsm_settlement', $2, 'Sv', now(), 'ZSM in de zitting')`, [
      cases.alone,
      table.organisations.OM,
    ]);
    await t.http().post(`/api/v1/meetings/${meetingId}/_close`).set(bearer(chair)).expect(200);
  }, 60_000);
  afterAll(() => t?.close());

  it('is scheduled nightly in Europe/Amsterdam', async () => {
    expect(SCHEDULES.find((s) => s.id === RetentionJob.Sweep)).toMatchObject({ queue: QueueName.Retention, repeat: { pattern: RETENTION_SWEEP_PATTERN, tz: 'Europe/Amsterdam' } });
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Retention));
    expect(await queue.getJobScheduler(RetentionJob.Sweep)).toMatchObject({ pattern: RETENTION_SWEEP_PATTERN, tz: 'Europe/Amsterdam' });
  });

  it('finds nothing due before the periods have passed', async () => {
    const clock = setClock(t, '2027-01-09T10:00:00Z');
    try {
      expect(await retention().findDue()).toEqual([]);
    } finally {
      clock.restore();
    }
  });

  it('erases what is due at the moved clock through the queue, and keeps what a hold, a restriction or time keeps', async () => {
    const before = await aggregates();
    const logs = await q<{ p: number; a: number }>(`SELECT (SELECT count(*)::int FROM processing_log) AS p, (SELECT count(*)::int FROM audit_log) AS a`);
    const clock = setClock(t, SWEEP_AT);
    try {
      expect((await retention().findDue()).map((c) => c.id).sort()).toEqual([cases.alone, cases.other, cases.lapsed, cases.yearly].sort());
      expect(await retention().sweep()).toEqual({ due: 4 });
      await erased(['alone', 'other', 'lapsed', 'yearly']);
    } finally {
      clock.restore();
    }
    for (const key of ['held', 'recent', 'restricted', 'open']) expect({ key, erased: await isErased(key) }).toEqual({ key, erased: false });

    // The lone person is anonymised; the one with an open case elsewhere keeps their identity for it, and the
    // erased case now belongs to a placeholder person of its own.
    const subject = async (key: string) => (await q(`SELECT * FROM subject WHERE id = $1`, [people[key].id]))[0];
    expect(await subject('alone')).toMatchObject({ v_number: `erased:${people.alone.id}`, family_name: null, date_of_birth: null, erased_at: new Date(SWEEP_AT) });
    expect(await subject('other')).toMatchObject({ v_number: people.other.vNumber, family_name: people.other.family, erased_at: null });
    const [moved] = await q(`SELECT s.id, s.v_number, s.erased_at FROM case_file c JOIN subject s ON s.id = c.subject_id WHERE c.id = $1`, [cases.other]);
    expect(moved).toEqual({ id: expect.not.stringMatching(people.other.id), v_number: `erased:${moved.id}`, erased_at: new Date(SWEEP_AT) });
    expect((await q(`SELECT subject_id, care_notes FROM case_file WHERE id = $1`, [cases.open]))[0]).toEqual({ subject_id: people.other.id, care_notes: 'Nog lopend' });
    expect(await subject('held')).toMatchObject({ family_name: people.held.family, erased_at: null });

    // Free text, criminal and care details gone; the rest as it was.
    const gone = await q(
      `SELECT c.id FROM case_file c WHERE c.id = ANY($1) AND (c.care_notes IS NOT NULL
          OR EXISTS (SELECT 1 FROM incident i WHERE i.case_id = c.id AND (i.description IS NOT NULL OR i.place IS NOT NULL OR i.external_reference IS NOT NULL))
          OR EXISTS (SELECT 1 FROM measure m WHERE m.case_id = c.id AND m.type = 'zsm_settlement' AND m.note IS NOT NULL))`,
      [[cases.alone, cases.other, cases.lapsed, cases.yearly]],
    );
    expect(gone).toEqual([]);
    expect((await q(`SELECT note FROM measure WHERE case_id = $1 AND type = 'intensive_guidance'`, [cases.alone]))[0].note).toBe('Begeleiding afgerond');
    expect((await q(`SELECT description FROM incident WHERE case_id = $1 AND kind = 'violence'`, [cases.held]))[0].description).toBe('Sloeg een medewerker');
    expect(await aggregates()).toEqual(before);

    // The logs only grew, and say the system erased each case, under the person's keyed hash.
    const [now] = await q<{ p: number; a: number }>(`SELECT (SELECT count(*)::int FROM processing_log) AS p, (SELECT count(*)::int FROM audit_log) AS a`);
    expect(now.p).toBeGreaterThan(logs[0].p);
    expect(now.a).toBeGreaterThan(logs[0].a);
    const entries = await q(
      `SELECT p.data_subject_id, p.table_id, p.processing_activity_id IS NOT NULL AS activity, a.actor_kind, p.started_at
         FROM processing_log p JOIN audit_log a ON a.operation_id = p.operation_id WHERE p.operation_name = 'case.erase_by_retention' ORDER BY p.id`,
    );
    expect(entries).toHaveLength(4);
    const hashes = ['alone', 'other', 'lapsed', 'yearly'].map((k) => pseudonymise(t.config.PSEUDONYM_KEY, people[k].vNumber)).sort();
    expect(entries.map((e) => e.data_subject_id).sort()).toEqual(hashes);
    for (const e of entries) expect(e).toMatchObject({ activity: true, actor_kind: 'system', started_at: new Date(SWEEP_AT) });
  }, 60_000);

  it('does not erase twice, nor what a hold or restriction keeps, when a job runs again', async () => {
    const clock = setClock(t, SWEEP_AT);
    try {
      for (const key of ['alone', 'held', 'restricted', 'recent']) expect(await retention().eraseIfDue(cases[key])).toEqual({ erased: false });
      expect(await retention().sweep()).toEqual({ due: 0 });
    } finally {
      clock.restore();
    }
  });

  it('no longer shows the erased person in the frozen minutes, JSON or PDF; the criminal details are gone from them too', async () => {
    const [{ minutes }] = await q<{ minutes: Json }>(`SELECT minutes FROM meeting WHERE id = $1`, [meetingId]);
    const item = minutes.items.find((i: Json) => i.case?.id === cases.alone);
    expect(item.case).toEqual({ id: cases.alone, reference: `${table.prefix}-R-alone`, procedureStage: { category: 'procedure', value: null } });
    expect(item.reasons).toEqual([
      { category: 'criminal', value: { code: 'severe_incident', origin: 'draft' } },
      { category: 'deliberation', value: { code: 'progress_stalled', detail: 'Geen voortgang', origin: 'chair' } },
    ]);
    expect(item.measures.map((x: Json) => [x.category, x.value.type, x.value.note])).toEqual([['criminal', 'zsm_settlement', null]]);

    const json = await t.http().get(`/api/v1/meetings/${meetingId}/minutes`).set(bearer(chair)).expect(200);
    expect(json.body.items[0].case.subject).toEqual({ erasedAt: new Date(SWEEP_AT).toISOString() });
    expect(JSON.stringify(json.body)).not.toContain(people.alone.family);
    expect(JSON.stringify(json.body)).not.toContain(people.alone.vNumber);
    const pdf = await t.http().get(`/api/v1/meetings/${meetingId}/minutes`).set(bearer(chair)).set('Accept', 'application/pdf').buffer(true).parse(binary).expect(200);
    const text = pdfText(pdf.body as Buffer).text;
    expect(text).toContain(`Casus ${table.prefix}-R-alone — betrokkene gewist`);
    expect(text.replace(/\s+/g, '')).not.toContain(people.alone.family);
    // A closed meeting stays frozen otherwise.
    await expect(q(`UPDATE meeting SET minutes = '{}' WHERE id = $1`, [meetingId])).rejects.toThrow(/closed/);
  });

  it('erases a held case once the hold is lifted, and a case once its period has passed', async () => {
    await t.http().post(`/api/v1/privacy/legal-holds/${heldId}/_lift`).set(bearer(officer)).send({ reason: 'Procedure afgerond.' }).expect(200);
    const clock = setClock(t, '2027-03-25T10:00:00Z');
    try {
      expect((await retention().findDue()).map((c) => c.id).sort()).toEqual([cases.held, cases.recent].sort());
      await retention().sweep();
      await erased(['held', 'recent']);
    } finally {
      clock.restore();
    }
    expect(await isErased('restricted')).toBe(false);
  }, 30_000);

  it('leaves both logs verifiable', async () => {
    expect(await sealAndVerifyLogs(t.app)).toEqual({ processing_log: expect.objectContaining({ intact: true }), audit_log: expect.objectContaining({ intact: true }) });
  });
});
