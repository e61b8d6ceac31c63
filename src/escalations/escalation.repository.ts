import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { OrganisationType } from '../auth/permissions';
import type { Category } from '../sharing/categories';
import { notRestricted } from '../sharing/restriction';
import type { EscalationActorKind, EscalationStatus, EscalationTrack } from './escalation.entity';
import type { EscalationEventRow, EscalationRow } from './escalation-view';

const COLUMNS = `
  e.id, e.case_id, c.reference AS case_reference, c.table_id, e.track, e.target_organisation_type, e.requested_by_organisation_id,
  e.status, e.meeting_id, e.agenda_item_id, e.reason, e.response_due_date::text AS response_due_date, e.outcome, e.requested_at,
  e.rule_id, e.trigger_category, e.created_at`;
const FROM = 'FROM escalation e JOIN case_file c ON c.id = e.case_id';
const SELECT = `SELECT ${COLUMNS} ${FROM}`;

export interface EscalationEventWrite {
  escalationId: string;
  from: EscalationStatus | null;
  to: EscalationStatus;
  reason: string;
  actorKind: EscalationActorKind;
  actorOrganisationId: string | null;
  at: Date;
}

export interface TargetFilters {
  tableIds: string[];
  organisationType: OrganisationType;
  statuses: EscalationStatus[];
  after?: { dueKey: string; id: string };
}

/** Named queries on escalations and their history. Every method takes the caller's transaction. */
@Injectable()
export class EscalationRepository {
  async findById(m: EntityManager, id: string): Promise<EscalationRow | undefined> {
    const [row] = await m.query(`${SELECT} WHERE e.id = $1`, [id]);
    return row;
  }

  /** Locks the escalation row: its status changes run one at a time. */
  async lock(m: EntityManager, id: string): Promise<EscalationRow | undefined> {
    const [row] = await m.query(`${SELECT} WHERE e.id = $1 FOR UPDATE OF e`, [id]);
    return row;
  }

  async findForCase(m: EntityManager, caseId: string): Promise<EscalationRow[]> {
    return m.query(`${SELECT} WHERE e.case_id = $1 ORDER BY e.created_at DESC, e.id`, [caseId]);
  }

  async findProposedAt(m: EntityManager, meetingId: string): Promise<EscalationRow[]> {
    return m.query(`${SELECT} WHERE e.meeting_id = $1 ORDER BY e.created_at, e.id`, [meetingId]);
  }

  /**
   * A page of the escalations addressed to an organisation type at the given tables, the earliest response
   * deadline first (those without one, proposals, last). `dueKey` is the deadline or `infinity`.
   */
  async findForTarget(m: EntityManager, f: TargetFilters, limit: number): Promise<(EscalationRow & { due_key: string })[]> {
    const params: unknown[] = [f.tableIds, f.organisationType, f.statuses];
    const due = `coalesce(e.response_due_date, 'infinity'::date)`;
    const after = f.after ? ` AND (${due}, e.id) > ($${params.push(f.after.dueKey)}::date, $${params.push(f.after.id)}::uuid)` : '';
    return m.query(
      `SELECT ${COLUMNS}, ${due}::text AS due_key ${FROM}
        WHERE c.table_id = ANY($1::uuid[]) AND e.target_organisation_type = $2 AND e.status = ANY($3::text[]) AND ${notRestricted('c.subject_id')}${after}
        ORDER BY ${due}, e.id LIMIT $${params.push(limit)}`,
      params,
    );
  }

  /** A proposal agreed in session; the chair's organisation asks. */
  async insertProposal(
    m: EntityManager,
    p: { caseId: string; track: EscalationTrack; target: OrganisationType; organisationId: string; meetingId: string; agendaItemId: string; reason: string; at: Date },
  ): Promise<string> {
    const [row] = await m.query(
      `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, status, meeting_id, agenda_item_id, reason, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'proposed', $5, $6, $7, $8, $8) RETURNING id`,
      [p.caseId, p.track, p.target, p.organisationId, p.meetingId, p.agendaItemId, p.reason, p.at],
    );
    return row.id;
  }

  /**
   * A rule's proposal, unless the case has an open escalation on the track already (proposed, requested or
   * accepted). The partial unique index on open rule proposals settles a race: the loser inserts nothing.
   * Returns the new escalation's id, or undefined when nothing was proposed.
   */
  async insertRuleProposal(
    m: EntityManager,
    p: { caseId: string; track: EscalationTrack; target: OrganisationType; ruleId: string; triggerCategory: Category; reason: string; at: Date },
  ): Promise<string | undefined> {
    const [row] = await m.query(
      `INSERT INTO escalation (case_id, track, target_organisation_type, status, reason, rule_id, trigger_category, created_at, updated_at)
       SELECT $1, $2, $3, 'proposed', $4, $5, $6, $7, $7
        WHERE NOT EXISTS (SELECT 1 FROM escalation WHERE case_id = $1 AND track = $2 AND status IN ('proposed', 'requested', 'accepted'))
       ON CONFLICT (case_id, track) WHERE status = 'proposed' AND rule_id IS NOT NULL DO NOTHING
       RETURNING id`,
      [p.caseId, p.track, p.target, p.reason, p.ruleId, p.triggerCategory, p.at],
    );
    return row?.id;
  }

  /** What a status change sets besides the status; the fields not given stay as they are. */
  async applyTransition(
    m: EntityManager,
    id: string,
    to: EscalationStatus,
    at: Date,
    fields: { requestedByOrganisationId?: string; responseDueDate?: string; reason?: string; outcome?: string },
  ): Promise<void> {
    await m.query(
      `UPDATE escalation
          SET status = $2, updated_at = $3,
              requested_by_organisation_id = coalesce($4, requested_by_organisation_id),
              requested_at = CASE WHEN $2 = 'requested' THEN $3 ELSE requested_at END,
              response_due_date = coalesce($5::date, response_due_date),
              reason = coalesce($6, reason),
              outcome = coalesce($7, outcome)
        WHERE id = $1`,
      [id, to, at, fields.requestedByOrganisationId ?? null, fields.responseDueDate ?? null, fields.reason ?? null, fields.outcome ?? null],
    );
  }

  async insertEvent(m: EntityManager, e: EscalationEventWrite): Promise<void> {
    await m.query(
      `INSERT INTO escalation_event (escalation_id, from_status, to_status, reason, actor_kind, actor_organisation_id, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [e.escalationId, e.from, e.to, e.reason, e.actorKind, e.actorOrganisationId, e.at],
    );
  }

  async findHistory(m: EntityManager, escalationId: string): Promise<EscalationEventRow[]> {
    return m.query(
      `SELECT escalation_id, from_status, to_status, reason, actor_kind, actor_organisation_id, at
         FROM escalation_event WHERE escalation_id = $1 ORDER BY id`,
      [escalationId],
    );
  }

  /** The case's reference, for event payloads (never personal data). */
  async caseReference(m: EntityManager, caseId: string): Promise<string> {
    const [row] = await m.query(`SELECT reference FROM case_file WHERE id = $1`, [caseId]);
    return row.reference;
  }
}
