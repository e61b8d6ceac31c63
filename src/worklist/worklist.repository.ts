import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { overdueSql } from '../actions/overdue';
import { notRestricted } from '../sharing/restriction';
import type { IncidentClassification } from '../cases/incident.entity';
import type { WorklistReasonCode } from './worklist-view';

export interface WorklistReasonRow {
  case_id: string;
  code: WorklistReasonCode;
  /** For `new_incidents`: one row per classification, which decides its category. */
  classification: IncidentClassification | null;
  count: number;
  due_date: string | null;
  ids: string[];
}

@Injectable()
export class WorklistRepository {
  /**
   * Every reason an open case of the table needs the chair's attention today, in one statement: requested
   * escalations awaiting the target's answer, overdue actions (the one overdue rule), incidents recorded
   * after the table's last meeting was closed (all of them before its first), a review date reached, and
   * no strategy yet. A case that moved to another table is that table's.
   */
  async findReasons(m: EntityManager, tableId: string, today: string): Promise<WorklistReasonRow[]> {
    return m.query(
      // A restricted person's case needs nobody's attention: it is only stored, so it is left out.
      `WITH oc AS (SELECT id, review_date FROM case_file WHERE table_id = $1 AND status <> 'closed' AND ${notRestricted('subject_id')}),
            since AS (SELECT coalesce(max(closed_at), '-infinity'::timestamptz) AS at FROM meeting WHERE table_id = $1 AND status = 'closed')
       SELECT r.case_id, r.code, r.classification, r.n::int AS count, r.due::text AS due_date, r.ids::text[] AS ids
         FROM (
           SELECT e.case_id, 'escalation_awaiting_response' AS code, NULL::text AS classification, count(*) AS n,
                  min(e.response_due_date) AS due, array_agg(e.id ORDER BY e.response_due_date, e.id) AS ids
             FROM escalation e WHERE e.status = 'requested' AND e.case_id IN (SELECT id FROM oc) GROUP BY e.case_id
           UNION ALL
           SELECT a.case_id, 'overdue_actions', NULL, count(*), min(a.due_date), array_agg(a.id ORDER BY a.due_date, a.id)
             FROM action a WHERE ${overdueSql('a', '$2::date')} AND a.case_id IN (SELECT id FROM oc) GROUP BY a.case_id
           UNION ALL
           SELECT i.case_id, 'new_incidents', i.classification, count(*), NULL::date, array_agg(i.id ORDER BY i.created_at, i.id)
             FROM incident i WHERE i.case_id IN (SELECT id FROM oc) AND i.created_at > (SELECT at FROM since)
            GROUP BY i.case_id, i.classification
           UNION ALL
           SELECT oc.id, 'review_due', NULL, 1, oc.review_date, '{}'::uuid[] FROM oc WHERE oc.review_date <= $2::date
           UNION ALL
           SELECT oc.id, 'no_strategy', NULL, 1, NULL::date, '{}'::uuid[] FROM oc
            WHERE NOT EXISTS (SELECT 1 FROM case_strategy s WHERE s.case_id = oc.id)
         ) r`,
      [tableId, today],
    );
  }
}
