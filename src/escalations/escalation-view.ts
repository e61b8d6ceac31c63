import { PageViewOf } from '../common/pagination';
import type { OrganisationType } from '../auth/permissions';
import type { Category as CategoryName } from '../sharing/categories';
import { Category, disclose, NotPersonal, PER_RECORD } from '../sharing/disclosure';
import { ESCALATION_STATUSES, ESCALATION_TRACKS, type EscalationActorKind, type EscalationStatus, type EscalationTrack } from './escalation.entity';

export interface EscalationRow {
  id: string;
  case_id: string;
  case_reference: string;
  table_id: string;
  track: EscalationTrack;
  target_organisation_type: OrganisationType;
  requested_by_organisation_id: string | null;
  status: EscalationStatus;
  meeting_id: string | null;
  agenda_item_id: string | null;
  reason: string | null;
  response_due_date: string | null;
  outcome: string | null;
  requested_at: Date | null;
  rule_id: string | null;
  trigger_category: CategoryName | null;
  created_at: Date;
}

export interface EscalationEventRow {
  escalation_id: string;
  from_status: EscalationStatus | null;
  to_status: EscalationStatus;
  reason: string;
  actor_kind: EscalationActorKind;
  actor_organisation_id: string | null;
  at: Date;
}

/** One status change in an escalation's history. */
export class EscalationEventView {
  @Category('deliberation', { enum: ESCALATION_STATUSES, type: String, nullable: true, description: 'Null for the proposal itself.' }) fromStatus: EscalationStatus | null;
  @Category('deliberation', { enum: ESCALATION_STATUSES }) toStatus: EscalationStatus;
  @Category('deliberation') reason: string;
  @Category('deliberation', { enum: ['user', 'client', 'system'], description: '`system`: an escalation rule of the table proposed it; nobody decided.' })
  actorKind: EscalationActorKind;
  @Category('deliberation', { type: String, format: 'uuid', nullable: true, description: 'The organisation that acted; null for the system.' })
  actorOrganisationId: string | null;
  @Category('deliberation', { format: 'date-time' }) at: string;
}

/** An escalation (opschaling) as the viewer may see it; all of it is the table's deliberation but which rule proposed it. */
export class EscalationView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid' }) caseId: string;
  @NotPersonal({ example: 'HWK-2026-0001' }) caseReference: string;
  @NotPersonal({ format: 'uuid', description: 'The table the case is discussed at now.' }) tableId: string;
  @Category('deliberation', { enum: Object.keys(ESCALATION_TRACKS) }) track: EscalationTrack;
  @Category('deliberation', { enum: [...new Set(Object.values(ESCALATION_TRACKS))] }) targetOrganisationType: OrganisationType;
  @Category('deliberation', {
    type: String,
    format: 'uuid',
    nullable: true,
    description: "The organisation that asks: the chair's, when proposed in session or requested; null for a rule's proposal not requested yet.",
  })
  requestedByOrganisationId: string | null;
  @Category('deliberation', { enum: ESCALATION_STATUSES }) status: EscalationStatus;
  @Category('deliberation', { enum: ['table', 'rule'], description: '`rule`: proposed by an escalation rule of the table when a fact was recorded, not by people.' })
  proposedBy: 'table' | 'rule';
  @Category(PER_RECORD, {
    type: String,
    format: 'uuid',
    description: 'The rule that proposed it. Which rule fired tells of the fact that triggered it, so this is disclosed under that fact\'s category (e.g. `criminal` for an offence).',
  })
  ruleId?: string;
  @NotPersonal({ type: String, format: 'uuid', nullable: true, description: 'The meeting where it was proposed.' }) meetingId: string | null;
  @NotPersonal({ type: String, format: 'uuid', nullable: true }) agendaItemId: string | null;
  @Category('deliberation', { type: String, nullable: true, description: 'Why the table escalates (the latest of the proposal and the request).' }) reason: string | null;
  @Category('deliberation', { type: String, format: 'date-time', nullable: true }) requestedAt: string | null;
  @Category('deliberation', { type: String, format: 'date', nullable: true, description: 'Set when requested: the response deadline, in working days per track.' })
  responseDueDate: string | null;
  @Category('deliberation', { type: String, nullable: true, description: "The target organisation's latest answer." }) outcome: string | null;
  @NotPersonal({ format: 'date-time' }) createdAt: string;
  @Category('deliberation', { type: () => EscalationEventView, isArray: true, description: 'Every status change, oldest first (on one escalation only).' })
  history?: Partial<EscalationEventView>[];
}

const iso = (v: Date | null) => (v === null ? null : new Date(v).toISOString());

export const escalationEventView = (e: EscalationEventRow, granted: ReadonlySet<CategoryName>) =>
  disclose(
    EscalationEventView,
    {
      fromStatus: e.from_status,
      toStatus: e.to_status,
      reason: e.reason,
      actorKind: e.actor_kind,
      actorOrganisationId: e.actor_organisation_id,
      at: new Date(e.at).toISOString(),
    },
    granted,
  );

export const escalationView = (r: EscalationRow, granted: ReadonlySet<CategoryName>, history?: EscalationEventRow[]) =>
  disclose(
    EscalationView,
    {
      id: r.id,
      caseId: r.case_id,
      caseReference: r.case_reference,
      tableId: r.table_id,
      track: r.track,
      targetOrganisationType: r.target_organisation_type,
      requestedByOrganisationId: r.requested_by_organisation_id,
      status: r.status,
      proposedBy: r.rule_id ? 'rule' : 'table',
      ruleId: r.rule_id ?? undefined,
      meetingId: r.meeting_id,
      agendaItemId: r.agenda_item_id,
      reason: r.reason,
      requestedAt: iso(r.requested_at),
      responseDueDate: r.response_due_date,
      outcome: r.outcome,
      createdAt: new Date(r.created_at).toISOString(),
      history: history?.map((e) => escalationEventView(e, granted)),
    },
    granted,
    r.trigger_category ?? undefined,
  );

/** The categories disclosing these escalations touches for a viewer granted `granted` (for the logs). */
export function escalationCategories(rows: EscalationRow[], granted: ReadonlySet<CategoryName>): CategoryName[] {
  if (!granted.has('deliberation') || !rows.length) return [];
  const triggers = rows.flatMap((r) => (r.rule_id && r.trigger_category && granted.has(r.trigger_category) ? [r.trigger_category] : []));
  return [...new Set<CategoryName>(['deliberation', ...triggers])];
}

/** A page of a case's escalations. */
export const CaseEscalationPageView = PageViewOf(EscalationView, 'CaseEscalationPage', 'Newest first, each disclosed under the covenant of the case\'s table.');

export class EscalationPageView {
  @NotPersonal({ type: () => EscalationView, isArray: true, description: 'Each item disclosed under the covenant of its table.' }) items: Partial<EscalationView>[];
  @NotPersonal({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' }) nextCursor: string | null;
}
