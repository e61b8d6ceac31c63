import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { overdueSql } from '../../actions/overdue';
import { caseSummary } from '../../cases/case.repository';
import { amsterdamDate } from '../../common/working-days';
import { notRestricted, subjectNotRestricted } from '../../sharing/restriction';
import { MeetingRepository } from '../meeting.repository';
import type { TouchedSubject } from '../../sharing/processing-log.service';
import type { AgendaMeetingRow, AgendaRow, StoredReason } from './agenda-view';

/** A reason the draft found for a case, before ordering. `classification` is set for incident reasons. */
export interface DraftReasonRow {
  case_id: string;
  reference: string;
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
   * Every reason every open case of the table has to be on the agenda, in one statement: pending escalation
   * proposals, incidents recorded after `since` (and up to `at`, if given; severe ones apart, per classification),
   * open actions due before the meeting (overdue as of `today`), intake cases, passed review dates and this
   * meeting's nominations. An incident counts by when it reached the system, not when it happened: one
   * pushed a day late is still news to the table.
   */
  async findDraftReasons(
    m: EntityManager,
    p: { tableId: string; meetingId: string; since: Date; at?: Date; today: string; meetingDate: string },
  ): Promise<DraftReasonRow[]> {
    return m.query(
      // A restricted person's case is not processed, so it gives no reason to be on the agenda.
      `WITH oc AS (SELECT id, reference, status, review_date FROM case_file WHERE table_id = $1 AND status <> 'closed' AND ${notRestricted('subject_id')})
       SELECT oc.id AS case_id, oc.reference, r.code, r.detail, r.classification, r.via
         FROM (
           SELECT e.case_id, 'escalation_proposed' AS code, string_agg(DISTINCT e.track, ', ' ORDER BY e.track) AS detail,
                  NULL::text AS classification, NULL::text AS via
             FROM escalation e WHERE e.status = 'proposed' AND e.case_id IN (SELECT id FROM oc) GROUP BY e.case_id
           UNION ALL
           SELECT i.case_id, CASE WHEN i.severe THEN 'severe_incident' ELSE 'new_incidents' END,
                  string_agg(DISTINCT i.kind, ', ' ORDER BY i.kind), i.classification, NULL
             FROM (SELECT case_id, kind, classification, severity = 'severe' AS severe FROM incident
                    WHERE created_at > $3 AND ($6::timestamptz IS NULL OR created_at <= $6) AND case_id IN (SELECT id FROM oc)) i
            GROUP BY i.case_id, i.severe, i.classification
           UNION ALL
           SELECT a.case_id, CASE WHEN a.overdue THEN 'overdue_actions' ELSE 'actions_due' END, count(*)::text, NULL, NULL
             FROM (SELECT case_id, ${overdueSql('action', '$4::date')} AS overdue FROM action
                    WHERE status = 'open' AND due_date <= $5::date AND case_id IN (SELECT id FROM oc)) a
            GROUP BY a.case_id, a.overdue
           UNION ALL
           SELECT id, 'new_case', NULL, NULL, NULL FROM oc WHERE status = 'intake'
           UNION ALL
           SELECT id, 'review_due', review_date::text, NULL, NULL FROM oc WHERE review_date <= $5::date
           UNION ALL
           SELECT n.case_id, 'nominated', n.reason_code || coalesce(': ' || n.reason_text, ''), NULL, n.source
             FROM nomination n WHERE n.meeting_id = $2 AND n.case_id IN (SELECT id FROM oc)
         ) r
         JOIN oc ON oc.id = r.case_id`,
      [p.tableId, p.meetingId, p.since, p.today, p.meetingDate, p.at ?? null],
    );
  }

  async findTopicNominations(m: EntityManager, meetingId: string): Promise<TopicNominationRow[]> {
    return m.query(
      `SELECT id, topic, reason_code, reason_text, source FROM nomination WHERE meeting_id = $1 AND topic IS NOT NULL ORDER BY created_at, id`,
      [meetingId],
    );
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

  async insertItems(m: EntityManager, meetingId: string, items: ItemWrite[]): Promise<void> {
    if (!items.length) return;
    await m.query(
      `INSERT INTO agenda_item (id, meeting_id, position, case_id, topic, reasons)
       SELECT id, $1, position, case_id, topic, reasons FROM unnest($2::uuid[], $3::int[], $4::uuid[], $5::text[], $6::jsonb[])
           AS x(id, position, case_id, topic, reasons)`,
      [meetingId, items.map((i) => i.id), items.map((i) => i.position), items.map((i) => i.caseId), items.map((i) => i.topic), items.map((i) => JSON.stringify(i.reasons))],
    );
  }

  /** Sets positions and reasons of existing items in one statement. */
  async updateItems(m: EntityManager, items: Pick<ItemWrite, 'id' | 'position' | 'reasons'>[]): Promise<void> {
    if (!items.length) return;
    await m.query(
      `UPDATE agenda_item ai SET position = x.position, reasons = x.reasons, updated_at = now()
         FROM unnest($1::uuid[], $2::int[], $3::jsonb[]) AS x(id, position, reasons) WHERE ai.id = x.id`,
      [items.map((i) => i.id), items.map((i) => i.position), items.map((i) => JSON.stringify(i.reasons))],
    );
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

  /** The people whose cases are on the agenda, for the processing log. */
  async findAgendaSubjects(m: EntityManager, meetingId: string): Promise<TouchedSubject[]> {
    return m.query(
      `SELECT s.id AS "subjectId", s.v_number AS "vNumber"
         FROM agenda_item ai JOIN case_file c ON c.id = ai.case_id JOIN subject s ON s.id = c.subject_id WHERE ai.meeting_id = $1 AND ${subjectNotRestricted('s')}`,
      [meetingId],
    );
  }

  async countItems(m: EntityManager, meetingId: string): Promise<number> {
    const [row] = await m.query(`SELECT count(*)::int AS n FROM agenda_item WHERE meeting_id = $1`, [meetingId]);
    return row.n;
  }
}
