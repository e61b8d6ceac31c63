import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ActionStatus } from './action.entity';
import type { ReviewOutcome } from './action-review.entity';
import { subjectNotRestricted } from '../sharing/restriction';
import { overdueSql } from './overdue';

/** An action with what access, disclosure and the logs need of its case. */
export interface ActionRow {
  id: string;
  case_id: string;
  case_reference: string;
  table_id: string;
  subject_id: string;
  v_number: string;
  meeting_id: string | null;
  agenda_item_id: string | null;
  owner_organisation_id: string;
  owner_user_id: string | null;
  description: string;
  due_date: string;
  status: ActionStatus;
  result_note: string | null;
  created_at: Date;
  completed_at: Date | null;
  not_acted_on_count: number;
  replan_requested_at: Date | null;
  replan_requested_due_date: string | null;
  replan_reason: string | null;
}

export interface ActionReviewRow {
  id: string;
  action_id: string;
  case_id: string;
  meeting_id: string;
  outcome: ReviewOutcome;
  reason: string | null;
  new_due_date: string | null;
  created_at: Date;
}

export interface ActionFilters {
  tableIds: string[];
  statuses?: ActionStatus[];
  overdue?: boolean;
  ownerOrganisationId?: string;
  /** Latest due date first (else earliest first); ties by id the same way. */
  descending?: boolean;
  after?: { dueDate: string; id: string };
}

const SELECT = `
  SELECT a.id, a.case_id, c.reference AS case_reference, c.table_id, c.subject_id, s.v_number, a.meeting_id, a.agenda_item_id,
         a.owner_organisation_id, a.owner_user_id, a.description, a.due_date::text AS due_date, a.status, a.result_note,
         a.created_at, a.completed_at, a.not_acted_on_count, a.replan_requested_at,
         a.replan_requested_due_date::text AS replan_requested_due_date, a.replan_reason
    FROM action a
    JOIN case_file c ON c.id = a.case_id
    JOIN subject s ON s.id = c.subject_id`;

const REVIEW_SELECT = `
  SELECT r.id, r.action_id, a.case_id, r.meeting_id, r.outcome, r.reason, r.new_due_date::text AS new_due_date, r.created_at
    FROM action_review r JOIN action a ON a.id = r.action_id`;

/** Named queries on actions and their reviews. Every method takes the caller's transaction. */
@Injectable()
export class ActionRepository {
  async findById(m: EntityManager, id: string): Promise<ActionRow | undefined> {
    const [row] = await m.query(`${SELECT} WHERE a.id = $1`, [id]);
    return row;
  }

  /** Locks the action row: completing, re-planning and reviewing one action run one at a time. */
  async lock(m: EntityManager, id: string): Promise<ActionRow | undefined> {
    const [row] = await m.query(`${SELECT} WHERE a.id = $1 FOR UPDATE OF a`, [id]);
    return row;
  }

  /** A page of actions at the given tables, earliest due first, in one statement; overdue as of `today`. */
  async findPage(m: EntityManager, f: ActionFilters, limit: number, today: string): Promise<ActionRow[]> {
    const params: unknown[] = [f.tableIds];
    const p = (v: unknown) => `$${params.push(v)}`;
    // A restricted person's actions are stored, not listed.
    const where = ['c.table_id = ANY($1::uuid[])', subjectNotRestricted('s')];
    if (f.statuses?.length) where.push(`a.status = ANY(${p(f.statuses)}::text[])`);
    if (f.overdue !== undefined) where.push(`${f.overdue ? '' : 'NOT '}${overdueSql('a', `${p(today)}::date`)}`);
    if (f.ownerOrganisationId) where.push(`a.owner_organisation_id = ${p(f.ownerOrganisationId)}::uuid`);
    if (f.after) where.push(`(a.due_date, a.id) ${f.descending ? '<' : '>'} (${p(f.after.dueDate)}::date, ${p(f.after.id)}::uuid)`);
    // action_due_date_id_idx read forwards or backwards.
    const dir = f.descending ? 'DESC' : 'ASC';
    return m.query(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY a.due_date ${dir}, a.id ${dir} LIMIT ${p(limit)}`, params);
  }

  /** The actions agreed at a meeting, in agenda order. */
  async findAgreedAt(m: EntityManager, meetingId: string): Promise<ActionRow[]> {
    return m.query(`${SELECT} WHERE a.meeting_id = $1 ORDER BY a.created_at, a.id`, [meetingId]);
  }

  async insert(
    m: EntityManager,
    a: {
      caseId: string;
      meetingId: string;
      agendaItemId: string;
      ownerOrganisationId: string;
      ownerUserId: string | null;
      description: string;
      dueDate: string;
      /** The Clock's now: "agreed before the meeting opened" compares it with the meeting's opened_at. */
      createdAt: Date;
    },
  ): Promise<string> {
    const [row] = await m.query(
      `INSERT INTO action (case_id, meeting_id, agenda_item_id, owner_organisation_id, owner_user_id, description, due_date, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
      [a.caseId, a.meetingId, a.agendaItemId, a.ownerOrganisationId, a.ownerUserId, a.description, a.dueDate, a.createdAt],
    );
    return row.id;
  }

  /** `at` is the Clock's now: a review compares completed_at with the meeting's opened_at. */
  async complete(m: EntityManager, id: string, resultNote: string, at: Date): Promise<void> {
    await m.query(`UPDATE action SET status = 'done', completed_at = $3, result_note = $2, updated_at = now() WHERE id = $1`, [id, resultNote, at]);
  }

  async requestReplan(m: EntityManager, id: string, dueDate: string, reason: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE action SET replan_requested_at = $4, replan_requested_due_date = $2, replan_reason = $3, updated_at = now() WHERE id = $1`,
      [id, dueDate, reason, at],
    );
  }

  /** What a review does to the action. A decided re-plan request is cleared: the table has answered it. */
  async applyReview(m: EntityManager, id: string, outcome: ReviewOutcome, newDueDate: string | null, at: Date): Promise<void> {
    const set: Record<ReviewOutcome, string> = {
      done: `status = 'done', completed_at = coalesce(completed_at, $2::timestamptz)`,
      replanned: `due_date = $2::date, replan_requested_at = NULL, replan_requested_due_date = NULL, replan_reason = NULL`,
      cancelled_circumstances: `status = 'cancelled', replan_requested_at = NULL, replan_requested_due_date = NULL, replan_reason = NULL`,
      not_acted_on: `not_acted_on_count = not_acted_on_count + 1`,
    };
    const params = outcome === 'replanned' ? [id, newDueDate] : outcome === 'done' ? [id, at] : [id];
    await m.query(`UPDATE action SET ${set[outcome]}, updated_at = now() WHERE id = $1`, params);
  }

  async findReview(m: EntityManager, actionId: string, meetingId: string): Promise<{ id: string } | undefined> {
    const [row] = await m.query(`SELECT id FROM action_review WHERE action_id = $1 AND meeting_id = $2`, [actionId, meetingId]);
    return row;
  }

  async insertReview(
    m: EntityManager,
    r: { actionId: string; meetingId: string; outcome: ReviewOutcome; reason: string | null; newDueDate: string | null; userId: string | null },
  ): Promise<ActionReviewRow> {
    const [row] = await m.query(
      `WITH r AS (INSERT INTO action_review (action_id, meeting_id, outcome, reason, new_due_date, created_by)
                  VALUES ($1, $2, $3, $4, $5, $6) RETURNING *)
       SELECT r.id, r.action_id, a.case_id, r.meeting_id, r.outcome, r.reason, r.new_due_date::text AS new_due_date, r.created_at
         FROM r JOIN action a ON a.id = r.action_id`,
      [r.actionId, r.meetingId, r.outcome, r.reason, r.newDueDate, r.userId],
    );
    return row;
  }

  async findReviewsAt(m: EntityManager, meetingId: string): Promise<ActionReviewRow[]> {
    return m.query(`${REVIEW_SELECT} WHERE r.meeting_id = $1 ORDER BY r.created_at, r.id`, [meetingId]);
  }

  /** An organisation that sits at the table now and is itself active. */
  async isActiveMemberOrganisation(m: EntityManager, tableId: string, organisationId: string): Promise<boolean> {
    const rows = await m.query(
      `SELECT 1 FROM table_member_organisation mo JOIN organisation o ON o.id = mo.organisation_id
        WHERE mo.table_id = $1 AND mo.organisation_id = $2 AND mo.left_at IS NULL AND o.active`,
      [tableId, organisationId],
    );
    return rows.length > 0;
  }

  /** An enabled user of that organisation with an active membership of the table. */
  async isOrganisationMember(m: EntityManager, tableId: string, organisationId: string, userId: string): Promise<boolean> {
    const rows = await m.query(
      `SELECT 1 FROM app_user u JOIN table_membership tm ON tm.user_id = u.id AND tm.table_id = $1 AND tm.ended_at IS NULL
        WHERE u.id = $3 AND u.organisation_id = $2 AND u.disabled_at IS NULL`,
      [tableId, organisationId, userId],
    );
    return rows.length > 0;
  }
}
