import { AGENDA_REASON_GROUP, draftReasonCategory, type DraftReasonCode } from '../meetings/agenda/agenda-view';
import { EntityManager } from 'typeorm';
import type { OrganisationType } from '../auth/permissions';
import type { IncidentClassification } from '../cases/incident.entity';
import { measureType } from '../cases/measure-catalogue';
import { addWorkingDays, amsterdamDate, isWorkingDay, TIME_ZONE } from '../common/working-days';
import type { Category } from '../sharing/categories';
import { lockMeeting, transitionMeeting } from '../meetings/meeting-status';
import { buildMinutesSnapshot } from '../meetings/minutes/minutes-snapshot';

/**
 * Demo meetings for a table whose cases the demo seed created: last Tuesday's meeting, closed with
 * attendance, decisions, actions (one already overdue) and frozen minutes, and the next four weekly
 * meetings, the first with a published agenda. SQL only: it runs inside the demo-seed transaction,
 * before any service exists.
 */

const MEETING_HOUR = 10;
const TUESDAY = 2;
const MINUTE = 60_000;

interface StoredReason {
  code: DraftReasonCode;
  detail?: string;
  category: Category;
  origin: 'draft';
}

/** Priority of DOMAIN.md section 4 step 3: an item is placed by its best reason. */

const shiftDate = (date: string, days: number) => new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
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

interface CaseReasons {
  caseId: string;
  reference: string;
  status: string;
  reasons: StoredReason[];
}

/**
 * The reasons the draft agenda (agenda module) gives a table's open cases for a meeting at `at` (previous meeting at
 * `since`; actions overdue as of `today`), best case first. A reason about incidents carries the category
 * of their classification, so that a municipality is not shown a reason about an offence.
 */
async function draftReasons(m: EntityManager, tableId: string, since: Date, at: Date, today: string): Promise<CaseReasons[]> {
  const rows: { case_id: string; reference: string; status: string; code: DraftReasonCode; detail: string | null; classification: IncidentClassification | null }[] = await m.query(
    `WITH oc AS (SELECT id, reference, status, review_date FROM case_file WHERE table_id = $1 AND status <> 'closed')
     SELECT oc.id AS case_id, oc.reference, oc.status, r.code, r.detail, r.classification
       FROM (
         SELECT case_id, 'escalation_proposed' AS code, string_agg(DISTINCT track, ', ') AS detail, NULL AS classification
           FROM escalation WHERE status = 'proposed' GROUP BY case_id
         UNION ALL
         SELECT case_id, CASE WHEN severe THEN 'severe_incident' ELSE 'new_incidents' END, string_agg(DISTINCT kind, ', '), classification
           FROM (SELECT case_id, kind, classification, severity = 'severe' AS severe FROM incident WHERE occurred_at >= $2 AND occurred_at < $3) i
          GROUP BY case_id, severe, classification
         UNION ALL
         SELECT case_id, CASE WHEN overdue THEN 'overdue_actions' ELSE 'actions_due' END, count(*)::text, NULL
           FROM (SELECT case_id, due_date < $4::date AS overdue FROM action
                  WHERE status = 'open' AND due_date <= ($3::timestamptz AT TIME ZONE 'Europe/Amsterdam')::date) a
          GROUP BY case_id, overdue
         UNION ALL
         SELECT id, 'new_case', NULL, NULL FROM oc WHERE status = 'intake'
         UNION ALL
         SELECT id, 'review_due', review_date::text, NULL FROM oc WHERE review_date <= ($3::timestamptz AT TIME ZONE 'Europe/Amsterdam')::date
       ) r JOIN oc ON oc.id = r.case_id`,
    [tableId, since, at, today],
  );
  const byCase = new Map<string, CaseReasons>();
  // In the demo every open case is discussed: one the draft finds nothing new about was nominated by a member.
  const open: { id: string; reference: string; status: string }[] = await m.query(
    `SELECT id, reference, status FROM case_file WHERE table_id = $1 AND status <> 'closed'`,
    [tableId],
  );
  for (const c of open) {
    if (!rows.some((r) => r.case_id === c.id)) rows.push({ case_id: c.id, reference: c.reference, status: c.status, code: 'nominated', detail: 'Voortgang bespreken', classification: null });
  }
  for (const row of rows) {
    const entry = byCase.get(row.case_id) ?? { caseId: row.case_id, reference: row.reference, status: row.status, reasons: [] };
    const category = draftReasonCategory(row.code, row.classification);
    entry.reasons.push({ code: row.code, ...(row.detail ? { detail: row.detail } : {}), category, origin: 'draft' });
    byCase.set(row.case_id, entry);
  }
  const best = (c: CaseReasons) => Math.min(...c.reasons.map((r) => AGENDA_REASON_GROUP[r.code]));
  for (const c of byCase.values()) c.reasons.sort((a, b) => AGENDA_REASON_GROUP[a.code] - AGENDA_REASON_GROUP[b.code]);
  return [...byCase.values()].sort((a, b) => best(a) - best(b) || a.reference.localeCompare(b.reference));
}

async function insertMeeting(m: EntityManager, tableId: string, at: Date, status: 'planned' | 'agenda_published' | 'in_session'): Promise<string> {
  const published = status !== 'planned';
  const [row] = await m.query(
    `INSERT INTO meeting (table_id, scheduled_at, cadence_slot, status, location, agenda_drafted_at, agenda_published_at, opened_at)
     VALUES ($1, $2, $2, $3, 'Vergaderzaal azc', $4, $5, $6) RETURNING id`,
    [tableId, at, status, published ? new Date(Math.min(Date.now(), at.getTime() - 2 * 86_400_000)) : null,
      published ? new Date(Math.min(Date.now(), at.getTime() - 86_400_000)) : null, status === 'in_session' ? at : null],
  );
  return row.id;
}

async function insertItems(m: EntityManager, meetingId: string, items: { caseId?: string; topic?: string; reasons: StoredReason[] }[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, item] of items.entries()) {
    const [row] = await m.query(`INSERT INTO agenda_item (meeting_id, position, case_id, topic, reasons) VALUES ($1, $2, $3, $4, $5) RETURNING id`, [
      meetingId, i + 1, item.caseId ?? null, item.topic ?? null, JSON.stringify(item.reasons),
    ]);
    ids.push(row.id);
  }
  return ids;
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
    `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, meeting_id, agenda_item_id, reason, created_at)
     VALUES ($1, 'htl_placement', 'COA', $2, $3, $4, 'Aanhoudende overlast ondanks maatregelen.', $5)`,
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

/** Last Tuesday's meeting, run and closed: its minutes are frozen with the same function the close endpoint uses. */
async function seedClosedMeeting(m: EntityManager, tableId: string, date: string, orgs: Map<string, string>, chairId: string | null): Promise<Date> {
  const at = amsterdamHour(date, MEETING_HOUR);
  const minute = (n: number) => new Date(at.getTime() + n * MINUTE);
  const today = amsterdamDate();
  const [earlier] = await m.query(`SELECT id FROM case_file WHERE table_id = $1 AND status <> 'closed' ORDER BY opened_at, id LIMIT 1`, [tableId]);
  // An action agreed before the demo's history starts, overdue at this meeting and reviewed there as done.
  const [carried] = earlier && orgs.get('COA')
    ? await m.query(
        `INSERT INTO action (case_id, owner_organisation_id, description, due_date, created_at) VALUES ($1, $2, 'Bewonersdossier actualiseren.', $3, $4) RETURNING id`,
        [earlier.id, orgs.get('COA'), shiftDate(date, -2), new Date(at.getTime() - 14 * 86_400_000)],
      )
    : [];

  const cases = await draftReasons(m, tableId, new Date(at.getTime() - 7 * 86_400_000), at, date);
  const meetingId = await insertMeeting(m, tableId, at, 'in_session');
  const itemIds = await insertItems(m, meetingId, [
    ...cases.map((c) => ({ caseId: c.caseId, reasons: c.reasons })),
    { topic: 'Samenwerking met de vervoerder bij overlast rond het station', reasons: [{ code: 'nominated', detail: 'Ingebracht door de gemeente', category: 'deliberation', origin: 'draft' }] },
  ]);
  for (const org of orgs.values()) {
    const absent = org === orgs.get('OM');
    await m.query(`INSERT INTO attendance (meeting_id, organisation_id, present, note, recorded_at) VALUES ($1, $2, $3, $4, $5)`, [
      meetingId, org, !absent, absent ? 'Afgemeld; stukken vooraf gedeeld' : null, minute(2),
    ]);
  }
  const lead = cases.find((c) => c.status === 'active') ?? cases[0];
  for (const [i, c] of cases.entries()) {
    const decision = c === lead ? DECISIONS.nuisance : c.status === 'intake' ? DECISIONS.intake : c.status === 'monitoring' ? DECISIONS.monitoring : DECISIONS.other;
    await m.query(`UPDATE agenda_item SET decision_text = $2, outcome = $3 WHERE id = $1`, [itemIds[i], decision.text, decision.outcome]);
    for (const [k, a] of decision.actions.entries()) {
      if (!orgs.get(a.owner)) continue;
      const due = a.due === 'overdue' ? shiftDate(today, -1) : addWorkingDays(today, a.due);
      await m.query(
        `INSERT INTO action (case_id, owner_organisation_id, owner_user_id, description, due_date, meeting_id, agenda_item_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [c.caseId, orgs.get(a.owner), a.owner === 'COA' ? chairId : null, a.description, due, meetingId, itemIds[i], minute(10 * i + k + 5)],
      );
    }
  }
  await m.query(`UPDATE agenda_item SET decision_text = 'De vervoerder wordt uitgenodigd voor het volgende overleg.', outcome = 'discussed' WHERE id = $1`, [
    itemIds[cases.length],
  ]);
  if (lead) await recordNuisanceApproach(m, { meetingId, itemId: itemIds[cases.indexOf(lead)], caseId: lead.caseId, orgs, chairId, minute });
  if (carried) {
    await m.query(`UPDATE action SET status = 'done', completed_at = $2, result_note = 'Dossier bijgewerkt.' WHERE id = $1`, [carried.id, minute(30)]);
    await m.query(`INSERT INTO action_review (action_id, meeting_id, outcome, created_at, created_by) VALUES ($1, $2, 'done', $3, $4)`, [
      carried.id, meetingId, minute(30), chairId,
    ]);
  }

  const closedAt = minute(90);
  const snapshot = await buildMinutesSnapshot(m, meetingId, closedAt);
  const meeting = (await lockMeeting(m, meetingId))!;
  await transitionMeeting(m, meeting, 'closed', ', closed_at = $3, minutes = $4::jsonb', [closedAt, JSON.stringify(snapshot)]);
  return at;
}

export async function seedDemoMeetings(m: EntityManager, tableId: string): Promise<void> {
  const orgRows: { type: string; id: string }[] = await m.query(
    `SELECT o.type, o.id FROM table_member_organisation mo JOIN organisation o ON o.id = mo.organisation_id
      WHERE mo.table_id = $1 AND mo.left_at IS NULL ORDER BY o.type`,
    [tableId],
  );
  const orgs = new Map(orgRows.map((o) => [o.type, o.id]));
  const [chair] = await m.query(`SELECT user_id FROM table_membership WHERE table_id = $1 AND role = 'chair' AND ended_at IS NULL`, [tableId]);
  const today = amsterdamDate();

  const lastMeetingAt = await seedClosedMeeting(m, tableId, lastTuesdayBefore(today), orgs, chair?.user_id ?? null);

  const upcoming = tuesdaysAfter(today, 4).map((d) => amsterdamHour(d, MEETING_HOUR));
  const nextId = await insertMeeting(m, tableId, upcoming[0], 'agenda_published');
  for (const at of upcoming.slice(1)) await insertMeeting(m, tableId, at, 'planned');
  const cases = await draftReasons(m, tableId, lastMeetingAt, upcoming[0], today);
  await insertItems(m, nextId, cases.map((c) => ({ caseId: c.caseId, reasons: c.reasons })));
}
