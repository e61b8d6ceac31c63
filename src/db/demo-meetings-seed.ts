import { EntityManager } from 'typeorm';
import type { OrganisationType } from '../auth/permissions';
import { measureType } from '../cases/measure-catalogue';
import { addWorkingDays, amsterdamDate, isWorkingDay, TIME_ZONE } from '../common/working-days';
import { draftAgenda, DraftRepositories } from '../meetings/agenda/agenda-draft.service';
import { AgendaRepository } from '../meetings/agenda/agenda.repository';
import { MeetingRepository } from '../meetings/meeting.repository';
import { buildMinutesSnapshot } from '../meetings/minutes/minutes-snapshot';

/**
 * Demo meetings for a table whose cases the demo seed created: last Tuesday's meeting, closed with
 * attendance, decisions, actions (one already overdue) and frozen minutes, and the next four weekly
 * meetings, the first with a published agenda. It runs inside the demo-seed transaction, before any
 * service exists, so it constructs the (stateless) repositories itself; both agendas are drafted by
 * `draftAgenda`, the code the chair and the scheduled job run, so the seed follows the rules as they change.
 */

const MEETING_HOUR = 10;
const TUESDAY = 2;
const MINUTE = 60_000;
const DAY = 86_400_000;

const meetings = new MeetingRepository();
const repositories: DraftRepositories = { agenda: new AgendaRepository(meetings) };

const shiftDate = (date: string, days: number) => new Date(Date.parse(`${date}T12:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const weekday = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay();

const localHour = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', hourCycle: 'h23' });

/** `hour`:00 on `date` in Amsterdam as a UTC instant (Amsterdam is UTC+1 in winter, UTC+2 in summer). */
export function amsterdamHour(date: string, hour: number): Date {
  const [y, mo, d] = date.split('-').map(Number);
  for (const offset of [1, 2]) {
    const candidate = new Date(Date.UTC(y, mo - 1, d, hour - offset));
    if (Number(localHour.format(candidate)) === hour && amsterdamDate(candidate) === date) return candidate;
  }
  throw new Error(`no ${hour}:00 on ${date} in ${TIME_ZONE}`);
}

/** Working Tuesdays after `date` (a Tuesday on a public holiday is skipped, the tables' default policy). */
function tuesdaysAfter(date: string, count: number): string[] {
  const out: string[] = [];
  for (let d = shiftDate(date, 1); out.length < count; d = shiftDate(d, 1)) if (weekday(d) === TUESDAY && isWorkingDay(d)) out.push(d);
  return out;
}

function lastTuesdayBefore(date: string): string {
  let d = shiftDate(date, -1);
  while (weekday(d) !== TUESDAY || !isWorkingDay(d)) d = shiftDate(d, -1);
  return d;
}

/** A planned meeting of the cadence at `at`, locked for the seed's transaction. */
async function insertMeeting(m: EntityManager, tableId: string, at: Date) {
  const id = await meetings.insert(m, { tableId, scheduledAt: at, cadenceSlot: at, location: 'Vergaderzaal azc' });
  return (await meetings.lock(m, id))!;
}

interface DraftedItem {
  itemId: string;
  caseId: string | null;
  caseStatus: string | null;
}

/** The agenda `draftAgenda` made, in order. */
async function draftedItems(m: EntityManager, meetingId: string): Promise<DraftedItem[]> {
  return m.query(
    `SELECT ai.id AS "itemId", ai.case_id AS "caseId", c.status AS "caseStatus"
       FROM agenda_item ai LEFT JOIN case_file c ON c.id = ai.case_id WHERE ai.meeting_id = $1 ORDER BY ai.position`,
    [meetingId],
  );
}

interface Decision {
  text: string;
  outcome: string;
  actions: { owner: OrganisationType; description: string; due: 'overdue' | number }[];
}

/**
 * What the table decided at last week's meeting, by the kind of case: the first active case gets the
 * nuisance approach (with the overdue action, a strategy revision, a measure and an escalation proposal).
 */
const DECISIONS: Record<'nuisance' | 'intake' | 'monitoring' | 'other', Decision> = {
  nuisance: {
    text: 'Lik-op-stuk wordt voortgezet. COA zet intensieve begeleiding in; de politie levert het dossier aan het OM. Plaatsing in de HTL wordt voorgesteld.',
    outcome: 'escalated',
    actions: [
      { owner: 'POLICE', description: 'Proces-verbaal en dossier aanleveren bij het OM (ZSM).', due: 'overdue' },
      { owner: 'COA', description: 'Gesprek over huisregels voeren en intensieve begeleiding starten.', due: 3 },
    ],
  },
  intake: {
    text: 'Intake besproken. De gemeente bereidt een gebiedsverbod voor het winkelcentrum voor.',
    outcome: 'discussed',
    actions: [{ owner: 'MUNICIPALITY', description: 'Gebiedsverbod winkelcentrum voorbereiden en uitreiken.', due: 5 }],
  },
  monitoring: {
    text: 'Vertrektraject loopt; de casus blijft in monitoring.',
    outcome: 'discussed',
    actions: [{ owner: 'COA', description: 'Terugkoppeling geven na het vertrekgesprek.', due: 8 }],
  },
  other: { text: 'Besproken; geen nieuwe afspraken.', outcome: 'discussed', actions: [] },
};

interface SessionItem {
  meetingId: string;
  itemId: string;
  caseId: string;
  orgs: Map<string, string>;
  chairId: string | null;
  minute: (n: number) => Date;
}

/** For the leading nuisance case: a strategy revision, a COA measure and a proposal to escalate to the HTL. */
async function recordNuisanceApproach(m: EntityManager, s: SessionItem): Promise<void> {
  const [strategy] = await m.query(
    `INSERT INTO case_strategy (case_id, revision, kind, text, created_at, created_by)
     SELECT $1, coalesce(max(revision), 0) + 1, 'nuisance', 'Lik-op-stuk; bij een volgend ernstig incident plaatsing in de HTL.', $2, $3
       FROM case_strategy WHERE case_id = $1 RETURNING id`,
    [s.caseId, s.minute(8), s.chairId],
  );
  await m.query(`UPDATE agenda_item SET strategy_id = $2 WHERE id = $1`, [s.itemId, strategy.id]);
  await m.query(
    `WITH e AS (INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, meeting_id, agenda_item_id, reason, created_at)
                VALUES ($1, 'htl_placement', 'COA', $2, $3, $4, 'Aanhoudende overlast ondanks maatregelen.', $5) RETURNING *)
     INSERT INTO escalation_event (escalation_id, from_status, to_status, reason, actor_kind, actor_organisation_id, at)
     SELECT id, NULL, status, reason, 'user', requested_by_organisation_id, created_at FROM e`,
    [s.caseId, s.orgs.get('POLICE') ?? s.orgs.get('COA') ?? [...s.orgs.values()][0], s.meetingId, s.itemId, s.minute(12)],
  );
  const ibl = measureType('intensive_guidance')!;
  if (!s.orgs.get('COA')) return;
  await m.query(
    `INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at, ends_at, status, note, created_at, created_by_user_id)
     VALUES ($1, $2, $3, $4, $5, $6, 'active', 'Afgesproken in het casusoverleg', $5, $7)`,
    [s.caseId, ibl.code, s.orgs.get('COA'), ibl.legalBasis, s.minute(15), s.minute(28 * 24 * 60), s.chairId],
  );
}

/** Last Tuesday's meeting, drafted, run and closed: its minutes are frozen with the same function the close endpoint uses. */
async function seedClosedMeeting(m: EntityManager, tableId: string, date: string, orgs: Map<string, string>, chairId: string | null, today: string): Promise<void> {
  const at = amsterdamHour(date, MEETING_HOUR);
  const minute = (n: number) => new Date(at.getTime() + n * MINUTE);
  const [earlier] = await m.query(`SELECT id FROM case_file WHERE table_id = $1 AND status <> 'closed' ORDER BY opened_at, id LIMIT 1`, [tableId]);
  // An action agreed before the demo's history starts, overdue at this meeting and reviewed there as done.
  const [carried] = earlier && orgs.get('COA')
    ? await m.query(
        `INSERT INTO action (case_id, owner_organisation_id, description, due_date, created_at) VALUES ($1, $2, 'Bewonersdossier actualiseren.', $3, $4) RETURNING id`,
        [earlier.id, orgs.get('COA'), shiftDate(date, -7), new Date(at.getTime() - 14 * DAY)],
      )
    : [];

  const meeting = await insertMeeting(m, tableId, at);
  // In the demo every open case is discussed: the chair's organisation nominated them all, and the
  // municipality a topic.
  const nominator = orgs.get('COA') ?? [...orgs.values()][0];
  await m.query(
    `INSERT INTO nomination (table_id, meeting_id, case_id, reason_code, reason_text, source, organisation_id, user_id, created_at)
     SELECT $1, $2, c.id, 'progress_stalled', 'Voortgang bespreken', 'member', $3, $4, $5 FROM case_file c WHERE c.table_id = $1 AND c.status <> 'closed'`,
    [tableId, meeting.id, nominator, chairId, new Date(at.getTime() - 3 * DAY)],
  );
  await m.query(
    `INSERT INTO nomination (table_id, meeting_id, topic, reason_code, reason_text, source, organisation_id, created_at)
     VALUES ($1, $2, 'Samenwerking met de vervoerder bij overlast rond het station', 'cooperation', 'Ingebracht door de gemeente', 'member', $3, $4)`,
    [tableId, meeting.id, orgs.get('MUNICIPALITY') ?? nominator, new Date(at.getTime() - 3 * DAY)],
  );
  // Drafted two working days ahead, as the scheduled job does, and published the working day before.
  await draftAgenda(m, repositories, meeting, amsterdamHour(addWorkingDays(date, -2), 8), true);
  await meetings.transition(m, meeting, 'agenda_published', { agendaPublishedAt: amsterdamHour(addWorkingDays(date, -1), 12) });
  await meetings.transition(m, meeting, 'in_session', { openedAt: at });
  const items = await draftedItems(m, meeting.id);
  const cases = items.filter((i) => i.caseId !== null);

  for (const org of orgs.values()) {
    const absent = org === orgs.get('OM');
    await m.query(`INSERT INTO attendance (meeting_id, organisation_id, present, note, recorded_at) VALUES ($1, $2, $3, $4, $5)`, [
      meeting.id, org, !absent, absent ? 'Afgemeld; stukken vooraf gedeeld' : null, minute(2),
    ]);
  }
  const lead = cases.find((c) => c.caseStatus === 'active') ?? cases[0];
  for (const [i, c] of cases.entries()) {
    const decision = c === lead ? DECISIONS.nuisance : c.caseStatus === 'intake' ? DECISIONS.intake : c.caseStatus === 'monitoring' ? DECISIONS.monitoring : DECISIONS.other;
    await m.query(`UPDATE agenda_item SET decision_text = $2, outcome = $3 WHERE id = $1`, [c.itemId, decision.text, decision.outcome]);
    for (const [k, a] of decision.actions.entries()) {
      if (!orgs.get(a.owner)) continue;
      const due = a.due === 'overdue' ? shiftDate(today, -1) : addWorkingDays(today, a.due);
      await m.query(
        `INSERT INTO action (case_id, owner_organisation_id, owner_user_id, description, due_date, meeting_id, agenda_item_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [c.caseId, orgs.get(a.owner), a.owner === 'COA' ? chairId : null, a.description, due, meeting.id, c.itemId, minute(10 * i + k + 5)],
      );
    }
  }
  for (const topic of items.filter((i) => i.caseId === null)) {
    await m.query(`UPDATE agenda_item SET decision_text = 'De vervoerder wordt uitgenodigd voor het volgende overleg.', outcome = 'discussed' WHERE id = $1`, [
      topic.itemId,
    ]);
  }
  if (lead) await recordNuisanceApproach(m, { meetingId: meeting.id, itemId: lead.itemId, caseId: lead.caseId!, orgs, chairId, minute });
  if (carried) {
    await m.query(`UPDATE action SET status = 'done', completed_at = $2, result_note = 'Dossier bijgewerkt.' WHERE id = $1`, [carried.id, minute(30)]);
    await m.query(`INSERT INTO action_review (action_id, meeting_id, outcome, created_at, created_by) VALUES ($1, $2, 'done', $3, $4)`, [
      carried.id, meeting.id, minute(30), chairId,
    ]);
  }

  const closedAt = minute(90);
  const snapshot = await buildMinutesSnapshot(m, meeting.id, closedAt);
  await meetings.transition(m, meeting, 'closed', { closedAt, minutes: snapshot });
}

/** `now` is the application's Clock: the demo's meetings are laid out around it. */
export async function seedDemoMeetings(m: EntityManager, tableId: string, now: Date): Promise<void> {
  const orgRows: { type: string; id: string }[] = await m.query(
    `SELECT o.type, o.id FROM table_member_organisation mo JOIN organisation o ON o.id = mo.organisation_id
      WHERE mo.table_id = $1 AND mo.left_at IS NULL ORDER BY o.type`,
    [tableId],
  );
  const orgs = new Map(orgRows.map((o) => [o.type, o.id]));
  const [chair] = await m.query(`SELECT user_id FROM table_membership WHERE table_id = $1 AND role = 'chair' AND ended_at IS NULL`, [tableId]);
  const today = amsterdamDate(now);

  await seedClosedMeeting(m, tableId, lastTuesdayBefore(today), orgs, chair?.user_id ?? null, today);

  // The next meeting's agenda is drafted now, from what was recorded since last week's close, and published.
  const upcoming = tuesdaysAfter(today, 4).map((d) => amsterdamHour(d, MEETING_HOUR));
  const next = await insertMeeting(m, tableId, upcoming[0]);
  await draftAgenda(m, repositories, next, now);
  await meetings.transition(m, next, 'agenda_published', { agendaPublishedAt: now });
  for (const at of upcoming.slice(1)) await insertMeeting(m, tableId, at);
}
