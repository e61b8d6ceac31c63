import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** A named organisation or table, as the export shows who and where. */
export interface Named {
  id: string;
  name: string;
}

export interface ExportedSubject {
  id: string;
  vNumber: string;
  familyName: string | null;
  givenNames: string | null;
  dateOfBirth: string | null;
  nationality: string | null;
  receptionLocation: string | null;
  restrictedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One case of the person with everything recorded on it, at whichever table it was or is. */
export interface ExportedCase {
  id: string;
  reference: string;
  table: Named;
  status: string;
  riskLevel: string;
  reviewDate: string | null;
  procedureStage: string | null;
  indPriority: boolean;
  careNotes: string | null;
  coordinatorOrganisation: Named | null;
  openedAt: string;
  closedAt: string | null;
  erasedAt: string | null;
  statusHistory: { id: string; fromStatus: string | null; toStatus: string; reason: string | null; changedAt: string }[];
  strategies: { id: string; revision: number; kind: string; text: string; createdAt: string }[];
  deadlines: { id: string; kind: string; dueDate: string; note: string | null; createdAt: string }[];
  transfers: { id: string; fromTable: Named; toTable: Named; reason: string | null; transferredAt: string }[];
  incidents: {
    id: string;
    kind: string;
    classification: string;
    severity: string;
    occurredAt: string;
    place: string | null;
    description: string | null;
    reportedToPolice: boolean;
    victimKind: string | null;
    sourceOrganisation: Named;
    externalReference: string | null;
    createdAt: string;
  }[];
  measures: { id: string; type: string; imposingOrganisation: Named; legalBasis: string; startsAt: string; endsAt: string | null; status: string; note: string | null; createdAt: string }[];
  indDecisions: { id: string; outcome: string; decidedOn: string; recordedByOrganisation: Named; createdAt: string }[];
  actions: {
    id: string;
    ownerOrganisation: Named;
    description: string;
    dueDate: string;
    status: string;
    resultNote: string | null;
    createdAt: string;
    completedAt: string | null;
    notActedOnCount: number;
    replanRequestedDueDate: string | null;
    replanReason: string | null;
    reviews: { id: string; meetingId: string; outcome: string; reason: string | null; newDueDate: string | null; createdAt: string }[];
  }[];
  escalations: {
    id: string;
    track: string;
    targetOrganisationType: string;
    requestedByOrganisation: Named | null;
    status: string;
    reason: string | null;
    responseDueDate: string | null;
    outcome: string | null;
    createdAt: string;
    events: { id: number; fromStatus: string | null; toStatus: string; reason: string; at: string }[];
  }[];
  nominations: { id: string; meetingId: string | null; reasonCode: string; reasonText: string | null; source: string; organisation: Named; createdAt: string }[];
  agendaItems: {
    id: string;
    meeting: { id: string; table: Named; scheduledAt: string; status: string };
    position: number;
    reasons: { code: string; detail?: string; category: string }[];
    decisionText: string | null;
    outcome: string | null;
    addenda: { id: string; text: string; createdAt: string }[];
  }[];
  legalHolds: { id: string; reason: string; endsOn: string; setAt: string; liftedAt: string | null; liftReason: string | null }[];
  /** Notices to officials about the case (in-app, and their e-mails): their kind and organisation, never the official. */
  notifications: { id: string; kind: string; recipientOrganisation: Named; createdAt: string; emails: { id: string; status: string; sentAt: string | null }[] }[];
  /** Signed messages about the case to partner organisations' own systems. */
  webhookDeliveries: { id: string; kind: string; organisation: Named; status: string; createdAt: string; deliveredAt: string | null }[];
}

/** One processing of the person's data, from the processing log, with who (organisation) from the audit log. */
export interface ExportedProcessing {
  startedAt: string;
  operation: string;
  status: string;
  organisation: (Named & { type: string }) | null;
  actorKind: string | null;
  purpose: string | null;
  legalBasis: string | null;
  processingActivity: { id: string; name: string; purpose: string; category: string } | null;
  table: Named | null;
  partnerSystem: boolean;
}

const named = (alias: string) => `json_build_object('id', ${alias}.id, 'name', ${alias}.name)`;
const list = (select: string, order: string) => `coalesce((SELECT json_agg(x ORDER BY ${order}) FROM (${select}) x), '[]'::json)`;

/**
 * Everything held on one person, for an access request (art. 15 AVG): named queries, one statement for the
 * cases with every record on them (wherever they are now, history included) and one for the processing log.
 */
@Injectable()
export class SubjectExportRepository {
  async findSubject(m: EntityManager, vNumber: string): Promise<ExportedSubject | undefined> {
    const [row] = await m.query(
      `SELECT id, v_number AS "vNumber", family_name AS "familyName", given_names AS "givenNames", date_of_birth::text AS "dateOfBirth",
              nationality, reception_location AS "receptionLocation", restricted_at AS "restrictedAt", created_at AS "createdAt", updated_at AS "updatedAt"
         FROM subject WHERE v_number = $1 AND erased_at IS NULL`,
      [vNumber],
    );
    return row;
  }

  async findCases(m: EntityManager, subjectId: string): Promise<ExportedCase[]> {
    const rows: { c: ExportedCase }[] = await m.query(
      `SELECT json_build_object(
                'id', c.id, 'reference', c.reference, 'table', ${named('t')}, 'status', c.status, 'riskLevel', c.risk_level,
                'reviewDate', c.review_date, 'procedureStage', c.procedure_stage, 'indPriority', c.ind_priority, 'careNotes', c.care_notes,
                'coordinatorOrganisation', CASE WHEN co.id IS NULL THEN NULL ELSE ${named('co')} END,
                'openedAt', c.opened_at, 'closedAt', c.closed_at, 'erasedAt', c.erased_at,
                'statusHistory', ${list(`SELECT from_status AS "fromStatus", to_status AS "toStatus", reason, changed_at AS "changedAt", id FROM case_status_change WHERE case_id = c.id`, 'x."changedAt", x.id')},
                'strategies', ${list(`SELECT id, revision, kind, text, created_at AS "createdAt" FROM case_strategy WHERE case_id = c.id`, 'x.revision')},
                'deadlines', ${list(`SELECT kind, due_date AS "dueDate", note, created_at AS "createdAt", id FROM case_deadline WHERE case_id = c.id`, 'x."dueDate", x.id')},
                'transfers', ${list(
                  `SELECT r.id, ${named('ft')} AS "fromTable", ${named('tt')} AS "toTable", r.reason, r.transferred_at AS "transferredAt"
                     FROM case_transfer r JOIN chain_table ft ON ft.id = r.from_table_id JOIN chain_table tt ON tt.id = r.to_table_id WHERE r.case_id = c.id`,
                  'x."transferredAt"',
                )},
                'incidents', ${list(
                  `SELECT i.id, i.kind, i.classification, i.severity, i.occurred_at AS "occurredAt", i.place, i.description,
                          i.reported_to_police AS "reportedToPolice", i.victim_kind AS "victimKind", ${named('o')} AS "sourceOrganisation",
                          i.external_reference AS "externalReference", i.created_at AS "createdAt"
                     FROM incident i JOIN organisation o ON o.id = i.source_organisation_id WHERE i.case_id = c.id`,
                  'x."occurredAt", x.id',
                )},
                'measures', ${list(
                  `SELECT x.id, x.type, ${named('o')} AS "imposingOrganisation", x.legal_basis AS "legalBasis", x.starts_at AS "startsAt",
                          x.ends_at AS "endsAt", x.status, x.note, x.created_at AS "createdAt"
                     FROM measure x JOIN organisation o ON o.id = x.imposing_organisation_id WHERE x.case_id = c.id`,
                  'x."startsAt", x.id',
                )},
                'indDecisions', ${list(
                  `SELECT d.id, d.outcome, d.decided_on AS "decidedOn", ${named('o')} AS "recordedByOrganisation", d.created_at AS "createdAt"
                     FROM ind_decision d JOIN organisation o ON o.id = d.recorded_by_organisation_id WHERE d.case_id = c.id`,
                  'x."decidedOn", x.id',
                )},
                'actions', ${list(
                  `SELECT a.id, ${named('o')} AS "ownerOrganisation", a.description, a.due_date AS "dueDate", a.status, a.result_note AS "resultNote",
                          a.created_at AS "createdAt", a.completed_at AS "completedAt", a.not_acted_on_count AS "notActedOnCount",
                          a.replan_requested_due_date AS "replanRequestedDueDate", a.replan_reason AS "replanReason",
                          ${list(`SELECT r.meeting_id AS "meetingId", r.outcome, r.reason, r.new_due_date AS "newDueDate", r.created_at AS "createdAt", r.id FROM action_review r WHERE r.action_id = a.id`, 'x."createdAt", x.id')} AS reviews
                     FROM action a JOIN organisation o ON o.id = a.owner_organisation_id WHERE a.case_id = c.id`,
                  'x."createdAt", x.id',
                )},
                'escalations', ${list(
                  `SELECT e.id, e.track, e.target_organisation_type AS "targetOrganisationType",
                          CASE WHEN o.id IS NULL THEN NULL ELSE ${named('o')} END AS "requestedByOrganisation", e.status, e.reason,
                          e.response_due_date AS "responseDueDate", e.outcome, e.created_at AS "createdAt",
                          ${list(`SELECT v.from_status AS "fromStatus", v.to_status AS "toStatus", v.reason, v.at, v.id FROM escalation_event v WHERE v.escalation_id = e.id`, 'x.at, x.id')} AS events
                     FROM escalation e LEFT JOIN organisation o ON o.id = e.requested_by_organisation_id WHERE e.case_id = c.id`,
                  'x."createdAt", x.id',
                )},
                'nominations', ${list(
                  `SELECT n.id, n.meeting_id AS "meetingId", n.reason_code AS "reasonCode", n.reason_text AS "reasonText", n.source,
                          ${named('o')} AS organisation, n.created_at AS "createdAt"
                     FROM nomination n JOIN organisation o ON o.id = n.organisation_id WHERE n.case_id = c.id`,
                  'x."createdAt", x.id',
                )},
                'agendaItems', ${list(
                  `SELECT ai.id, json_build_object('id', mt.id, 'table', ${named('mtt')}, 'scheduledAt', mt.scheduled_at, 'status', mt.status) AS meeting,
                          mt.scheduled_at AS at, ai.position, ai.reasons, ai.decision_text AS "decisionText", ai.outcome,
                          ${list(`SELECT ad.text, ad.created_at AS "createdAt", ad.id FROM minutes_addendum ad WHERE ad.agenda_item_id = ai.id`, 'x."createdAt", x.id')} AS addenda
                     FROM agenda_item ai JOIN meeting mt ON mt.id = ai.meeting_id JOIN chain_table mtt ON mtt.id = mt.table_id WHERE ai.case_id = c.id`,
                  'x.at, x.id',
                )},
                'legalHolds', ${list(
                  `SELECT h.id, h.reason, h.ends_on AS "endsOn", h.set_at AS "setAt", h.lifted_at AS "liftedAt", h.lift_reason AS "liftReason" FROM legal_hold h WHERE h.case_id = c.id`,
                  'x."setAt"',
                )},
                'notifications', ${list(
                  `SELECT n.id, n.kind, ${named('o')} AS "recipientOrganisation", n.created_at AS "createdAt",
                          ${list(`SELECT d.id, d.status, d.sent_at AS "sentAt" FROM email_delivery d WHERE d.notification_id = n.id`, 'x.id')} AS emails
                     FROM notification n JOIN app_user u ON u.id = n.recipient_user_id JOIN organisation o ON o.id = u.organisation_id WHERE n.case_id = c.id`,
                  'x."createdAt", x.id',
                )},
                'webhookDeliveries', ${list(
                  `SELECT w.id, w.kind, ${named('o')} AS organisation, w.status, w.created_at AS "createdAt", w.delivered_at AS "deliveredAt"
                     FROM webhook_delivery w JOIN webhook_subscription ws ON ws.id = w.subscription_id JOIN organisation o ON o.id = ws.organisation_id WHERE w.case_id = c.id`,
                  'x."createdAt", x.id',
                )}
              ) AS c
         FROM case_file c
         JOIN chain_table t ON t.id = c.table_id
         LEFT JOIN organisation co ON co.id = c.coordinator_organisation_id
        WHERE c.subject_id = $1
        ORDER BY c.opened_at, c.id`,
      [subjectId],
    );
    // `at` only ordered the agenda items.
    return rows.map((r) => ({ ...r.c, agendaItems: (r.c.agendaItems as (ExportedCase['agendaItems'][number] & { at?: string })[]).map(({ at: _, ...item }) => item) }));
  }

  /**
   * Every processing of the person's data (the processing log's entries under their keyed hash), oldest first,
   * with the organisation, purpose and legal basis of the operation (audit log, by operation id) and the
   * processing activity it ran under.
   */
  async findProcessing(m: EntityManager, dataSubjectHash: string): Promise<ExportedProcessing[]> {
    return m.query(
      `SELECT p.started_at AS "startedAt", p.operation_name AS operation, p.status,
              CASE WHEN o.id IS NULL THEN NULL ELSE json_build_object('id', o.id, 'name', o.name, 'type', o.type) END AS organisation,
              a.actor_kind AS "actorKind", a.purpose, a.legal_basis AS "legalBasis",
              CASE WHEN pa.id IS NULL THEN NULL ELSE json_build_object('id', pa.id, 'name', pa.name, 'purpose', pa.purpose, 'category', pa.category) END AS "processingActivity",
              CASE WHEN t.id IS NULL THEN NULL ELSE json_build_object('id', t.id, 'name', t.name) END AS "table",
              p.api_client_id IS NOT NULL AS "partnerSystem"
         FROM processing_log p
         LEFT JOIN audit_log a ON a.operation_id = p.operation_id
         LEFT JOIN organisation o ON o.id = a.organisation_id
         LEFT JOIN processing_activity pa ON pa.id = p.processing_activity_id
         LEFT JOIN chain_table t ON t.id = p.table_id
        WHERE p.data_subject_id = $1
        ORDER BY p.started_at, p.id`,
      [dataSubjectHash],
    );
  }

  /** Earlier requests about the person (kind, reference, when), oldest first. */
  async findRequests(m: EntityManager, subjectId: string): Promise<{ id: string; kind: string; reference: string; handledAt: string }[]> {
    return m.query(
      `SELECT id, kind, reference, handled_at AS "handledAt" FROM data_subject_request WHERE subject_id = $1 ORDER BY handled_at, id`,
      [subjectId],
    );
  }
}
