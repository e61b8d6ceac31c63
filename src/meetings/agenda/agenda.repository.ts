import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { overdueSql } from '../../actions/overdue';
import { caseSummary } from '../../cases/case.repository';
import { amsterdamDate } from '../../common/working-days';
import { notRestricted } from '../../sharing/restriction';
import { prepared } from '../../db/prepared';
import { DraftedMeeting, draftSinceSql, MeetingRepository, stampDraftedSql } from '../meeting.repository';
import type { TouchedSubject } from '../../sharing/processing-log.service';
import type { AgendaMeetingRow, AgendaRow, StoredReason } from './agenda-view';

/** A reason the draft found for a case, before ordering. `classification` is set for incident reasons. */
export interface DraftReasonRow {
  case_id: string;
  reference: string;
  /** The case's person, for the processing log only (never shown): a case with a reason is never restricted. */
  subject_id: string;
  v_number: string;
  code: string;
  detail: string | null;
  classification: 'nuisance' | 'offence' | null;
  via: 'member' | 'list' | null;
}

export interface TopicNominationRow {
  id: string;
  topic: string;
  reason_code: string;
  reason_text: string | null;
  source: 'member' | 'list';
}

/** An item on the agenda as the draft finds it, with its case's person for the processing log. */
export interface DraftItemRow {
  id: string;
  position: number;
  case_id: string | null;
  reference: string | null;
  topic: string | null;
  /** A topic's reasons; of a case item, the chair's only (the draft's own are recomputed). */
  reasons: StoredReason[];
  /** Null for a topic. A `restricted` person is left out of the log: nothing of them is processed. */
  subject_id: string | null;
  v_number: string | null;
  restricted: boolean | null;
}

/** Everything a draft reads, in one statement. */
export interface DraftState {
  reasons: DraftReasonRow[];
  /** The meeting's topic nominations, oldest first. */
  topics: TopicNominationRow[];
  /** Its items as stored, in position order. */
  items: DraftItemRow[];
}

/** What a draft writes: the items to delete, to insert, and to keep (written only where position or reasons changed). */
export interface DraftWrite {
  stale: string[];
  added: ItemWrite[];
  kept: Pick<ItemWrite, 'id' | 'position' | 'reasons'>[];
}

export interface ItemRow {
  id: string;
  meeting_id: string;
  table_id: string;
  position: number;
  case_id: string | null;
  reference: string | null;
  topic: string | null;
  reasons: StoredReason[];
}

export interface ItemWrite {
  id: string;
  position: number;
  caseId: string | null;
  topic: string | null;
  reasons: StoredReason[];
}

/** Named queries on meetings' agendas. Every method takes the caller's transaction. */
@Injectable()
export class AgendaRepository {
  constructor(private readonly meetings: MeetingRepository) {}

  /** The meeting as the agenda views show it (MeetingRepository's one read of a meeting). */
  findMeeting(m: EntityManager, meetingId: string): Promise<AgendaMeetingRow | undefined> {
    return this.meetings.findById(m, meetingId);
  }

  /**
   * Everything a draft reads, in one statement (prepared): every reason every open case of the table has to be
   * on the agenda, the meeting's topic nominations and its items as stored. The reasons: pending escalation
   * proposals, incidents recorded since the last meeting (`draftSinceSql`; up to `at`, if given; severe ones
   * apart, per classification), open actions due before the meeting (overdue as of `today`), intake cases,
   * passed review dates and this meeting's nominations. An incident counts by when it reached the system, not
   * when it happened: one pushed a day late is still news to the table. Set-based: the planner looks the open
   * cases' rows up through an index on the case where that reads less than a scan (at scale, always), and
   * reads only the new incidents of each (test/agenda-budget.e2e-spec.ts); a LATERAL per open case read the
   * same rows 30 % slower at 500 cases.
   */
  async findDraftState(
    m: EntityManager,
    p: { tableId: string; meetingId: string; scheduledAt: Date; at?: Date; today: string; meetingDate: string },
  ): Promise<DraftState> {
    const [row] = await prepared<DraftState>(
      m,
      // A restricted person's case is not processed, so it gives no reason to be on the agenda.
      `WITH oc AS (
         -- The person's V-number looked up per open case: a join let the planner scan every subject for a few cases.
         SELECT c.id, c.reference, c.status, c.review_date, c.subject_id, (SELECT s.v_number FROM subject s WHERE s.id = c.subject_id) AS v_number
           FROM case_file c WHERE c.table_id = $1 AND c.status <> 'closed' AND ${notRestricted('c.subject_id')}),
       reasons AS (
         SELECT e.case_id, 'escalation_proposed' AS code, string_agg(DISTINCT e.track, ', ' ORDER BY e.track) AS detail,
                NULL::text AS classification, NULL::text AS via
           FROM escalation e WHERE e.status = 'proposed' AND e.case_id IN (SELECT id FROM oc) GROUP BY e.case_id
         UNION ALL
         SELECT i.case_id, CASE WHEN i.severe THEN 'severe_incident' ELSE 'new_incidents' END,
                string_agg(DISTINCT i.kind, ', ' ORDER BY i.kind), i.classification, NULL
           FROM (SELECT case_id, kind, classification, severity = 'severe' AS severe FROM incident
                  WHERE created_at > ${draftSinceSql('$1', '$3')} AND created_at <= coalesce($4::timestamptz, 'infinity')
                    AND case_id IN (SELECT id FROM oc)) i
          GROUP BY i.case_id, i.severe, i.classification
         UNION ALL
         SELECT a.case_id, CASE WHEN a.overdue THEN 'overdue_actions' ELSE 'actions_due' END, count(*)::text, NULL, NULL
           FROM (SELECT case_id, ${overdueSql('action', '$5::date')} AS overdue FROM action
                  WHERE status = 'open' AND due_date <= $6::date AND case_id IN (SELECT id FROM oc)) a
          GROUP BY a.case_id, a.overdue
         UNION ALL
         SELECT id, 'new_case', NULL, NULL, NULL FROM oc WHERE status = 'intake'
         UNION ALL
         SELECT id, 'review_due', review_date::text, NULL, NULL FROM oc WHERE review_date <= $6::date
         UNION ALL
         SELECT n.case_id, 'nominated', n.reason_code || coalesce(': ' || n.reason_text, ''), NULL, n.source
           FROM nomination n WHERE n.meeting_id = $2 AND n.case_id IN (SELECT id FROM oc))
       SELECT
         (SELECT coalesce(json_agg(x), '[]')
            FROM (SELECT oc.id AS case_id, oc.reference, oc.subject_id, oc.v_number, r.code, r.detail, r.classification, r.via
                    FROM reasons r JOIN oc ON oc.id = r.case_id) x) AS reasons,
         (SELECT coalesce(json_agg(json_build_object('id', x.id, 'topic', x.topic, 'reason_code', x.reason_code, 'reason_text', x.reason_text,
                                                     'source', x.source) ORDER BY x.created_at, x.id), '[]')
            FROM nomination x WHERE x.meeting_id = $2 AND x.topic IS NOT NULL) AS topics,
         (SELECT coalesce(json_agg(json_build_object('id', ai.id, 'position', ai.position, 'case_id', ai.case_id, 'reference', c.reference,
                                                     'topic', ai.topic, 'subject_id', s.id, 'v_number', s.v_number,
                                                     -- A re-draft recomputes the draft's reasons of a case item and keeps only the chair's.
                                                     'reasons', CASE WHEN ai.case_id IS NULL THEN ai.reasons
                                                                     ELSE jsonb_path_query_array(ai.reasons, '$[*] ? (@.origin == "chair")') END,
                                                     'restricted', s.restricted_at IS NOT NULL) ORDER BY ai.position, ai.created_at, ai.id), '[]')
            FROM agenda_item ai LEFT JOIN case_file c ON c.id = ai.case_id LEFT JOIN subject s ON s.id = c.subject_id
           WHERE ai.meeting_id = $2) AS items`,
      [p.tableId, p.meetingId, p.scheduledAt, p.at ?? null, p.today, p.meetingDate],
    );
    return row;
  }

  /**
   * Writes a draft in one statement (prepared): deletes the stale items, inserts the new ones, updates the kept
   * ones whose position or reasons changed (a re-draft that changes nothing rewrites no item) and stamps the
   * meeting (`stampDraftedSql`), which it returns.
   */
  async writeDraft(m: EntityManager, meetingId: string, at: Date, w: DraftWrite): Promise<DraftedMeeting> {
    const [meeting] = await prepared<DraftedMeeting>(
      m,
      `WITH stale AS (
         DELETE FROM agenda_item WHERE meeting_id = $1 AND id = ANY($3::uuid[])),
       added AS (
         INSERT INTO agenda_item (id, meeting_id, position, case_id, topic, reasons)
         SELECT id, $1, position, case_id, topic, reasons FROM unnest($4::uuid[], $5::int[], $6::uuid[], $7::text[], $8::jsonb[])
             AS x(id, position, case_id, topic, reasons)),
       kept AS (
         UPDATE agenda_item ai SET position = x.position, reasons = x.reasons, updated_at = now()
           FROM unnest($9::uuid[], $10::int[], $11::jsonb[]) AS x(id, position, reasons)
          WHERE ai.id = x.id AND ai.meeting_id = $1 AND (ai.position, ai.reasons) IS DISTINCT FROM (x.position, x.reasons)),
       -- As a part, not the main statement: TypeORM answers an UPDATE with [rows, count], a SELECT with its rows.
       stamped AS (${stampDraftedSql('$1', '$2')})
       SELECT * FROM stamped`,
      [
        meetingId,
        at,
        w.stale,
        w.added.map((i) => i.id),
        w.added.map((i) => i.position),
        w.added.map((i) => i.caseId),
        w.added.map((i) => i.topic),
        w.added.map((i) => JSON.stringify(i.reasons)),
        w.kept.map((i) => i.id),
        w.kept.map((i) => i.position),
        w.kept.map((i) => JSON.stringify(i.reasons)),
      ],
    );
    return meeting;
  }

  /** The meeting's items as stored, in position order. */
  async findItems(m: EntityManager, meetingId: string): Promise<ItemRow[]> {
    return m.query(
      `SELECT ai.id, ai.meeting_id, mt.table_id, ai.position, ai.case_id, c.reference, ai.topic, ai.reasons
         FROM agenda_item ai JOIN meeting mt ON mt.id = ai.meeting_id LEFT JOIN case_file c ON c.id = ai.case_id
        WHERE ai.meeting_id = $1 ORDER BY ai.position, ai.created_at, ai.id`,
      [meetingId],
    );
  }

  async findItem(m: EntityManager, itemId: string): Promise<ItemRow | undefined> {
    const [row] = await m.query(
      `SELECT ai.id, ai.meeting_id, mt.table_id, ai.position, ai.case_id, c.reference, ai.topic, ai.reasons
         FROM agenda_item ai JOIN meeting mt ON mt.id = ai.meeting_id LEFT JOIN case_file c ON c.id = ai.case_id
        WHERE ai.id = $1`,
      [itemId],
    );
    return row;
  }

  async deleteItems(m: EntityManager, ids: string[]): Promise<void> {
    if (ids.length) await m.query(`DELETE FROM agenda_item WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async setPositions(m: EntityManager, ids: string[]): Promise<void> {
    await m.query(
      `UPDATE agenda_item ai SET position = x.position::int, updated_at = now() FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, position) WHERE ai.id = x.id`,
      [ids],
    );
  }

  /** A new item at the end of the agenda. */
  async insertItem(m: EntityManager, meetingId: string, item: Omit<ItemWrite, 'id' | 'position'>): Promise<string> {
    const [row] = await m.query(
      `INSERT INTO agenda_item (meeting_id, position, case_id, topic, reasons)
       VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM agenda_item WHERE meeting_id = $1), $2, $3, $4) RETURNING id`,
      [meetingId, item.caseId, item.topic, JSON.stringify(item.reasons)],
    );
    return row.id;
  }

  async updateItem(m: EntityManager, itemId: string, fields: { topic?: string; reasons?: StoredReason[] }): Promise<void> {
    await m.query(`UPDATE agenda_item SET topic = coalesce($2, topic), reasons = coalesce($3::jsonb, reasons), updated_at = now() WHERE id = $1`, [
      itemId,
      fields.topic ?? null,
      fields.reasons ? JSON.stringify(fields.reasons) : null,
    ]);
  }

  /**
   * The agenda as the views show it, in one statement: per item its case as the one case summary (a list
   * row: subject and action counts), its procedure stage, and the case's open actions agreed before this
   * meeting (carried over). `now` is the Clock's: overdue as of its date, and before a meeting opens every
   * open action agreed until now is carried over.
   */
  async findAgenda(m: EntityManager, meetingId: string, now: Date, itemIds?: string[]): Promise<(AgendaRow & { subject: TouchedSubject | null })[]> {
    const rows: (AgendaRow & { subject_id: string | null; v_number: string | null })[] = await m.query(
      `SELECT ai.id, ai.position, ai.topic, ai.reasons, cf.procedure_stage, cs.subject_id, cs.v_number,
              (ai.case_id IS NOT NULL AND cf.id IS NULL) AS moved_away,
              CASE WHEN cs.id IS NULL THEN NULL ELSE to_json(cs) END AS case_row,
              coalesce((SELECT json_agg(json_build_object('id', a.id, 'meetingId', a.meeting_id, 'ownerOrganisationId', a.owner_organisation_id,
                                                          'description', a.description, 'dueDate', a.due_date, 'overdue', ${overdueSql('a', '$4::date')})
                                        ORDER BY a.due_date, a.created_at)
                          FROM action a
                         WHERE a.case_id = cf.id AND a.status = 'open' AND a.meeting_id IS DISTINCT FROM ai.meeting_id
                           AND a.created_at < coalesce(mt.opened_at, $3::timestamptz)), '[]') AS carried_actions
         FROM agenda_item ai
         JOIN meeting mt ON mt.id = ai.meeting_id
         -- A case that has since moved to another table is no longer this table's: nothing of it is read.
         LEFT JOIN case_file cf ON cf.id = ai.case_id AND cf.table_id = mt.table_id
         LEFT JOIN LATERAL (${caseSummary('$4::date')} WHERE c.id = cf.id) cs ON true
        WHERE ai.meeting_id = $1 AND ($2::uuid[] IS NULL OR ai.id = ANY($2::uuid[]))
        ORDER BY ai.position, ai.created_at, ai.id`,
      [meetingId, itemIds ?? null, now, amsterdamDate(now)],
    );
    // A restricted person's item is shown as restricted only: nothing of them is processed, so nobody is logged.
    return rows.map(({ subject_id, v_number, ...row }) => ({ ...row, subject: subject_id && !row.case_row?.restricted ? { subjectId: subject_id, vNumber: v_number! } : null }));
  }

  async countItems(m: EntityManager, meetingId: string): Promise<number> {
    const [row] = await m.query(`SELECT count(*)::int AS n FROM agenda_item WHERE meeting_id = $1`, [meetingId]);
    return row.n;
  }
}
