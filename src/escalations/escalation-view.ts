import type { OrganisationType } from '../auth/permissions';
import type { Category as CategoryName } from '../sharing/categories';
import { Category, disclose, NotPersonal } from '../sharing/disclosure';
import { ESCALATION_STATUSES, ESCALATION_TRACKS, type EscalationStatus, type EscalationTrack } from './escalation.entity';

export interface EscalationRow {
  id: string;
  case_id: string;
  track: EscalationTrack;
  target_organisation_type: OrganisationType;
  requested_by_organisation_id: string;
  status: EscalationStatus;
  meeting_id: string | null;
  agenda_item_id: string | null;
  reason: string | null;
  response_due_date: string | null;
  outcome: string | null;
  created_at: Date;
}

/** An escalation (opschaling) as the viewer may see it; all of it is the table's deliberation. */
export class EscalationView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid' }) caseId: string;
  @Category('deliberation', { enum: Object.keys(ESCALATION_TRACKS) }) track: EscalationTrack;
  @Category('deliberation', { enum: [...new Set(Object.values(ESCALATION_TRACKS))] }) targetOrganisationType: OrganisationType;
  @Category('deliberation', { format: 'uuid', description: "The organisation that asks: the chair's, when proposed in session." }) requestedByOrganisationId: string;
  @Category('deliberation', { enum: ESCALATION_STATUSES }) status: EscalationStatus;
  @NotPersonal({ type: String, format: 'uuid', nullable: true, description: 'The meeting where it was proposed.' }) meetingId: string | null;
  @NotPersonal({ type: String, format: 'uuid', nullable: true }) agendaItemId: string | null;
  @Category('deliberation', { type: String, nullable: true }) reason: string | null;
  @Category('deliberation', { type: String, format: 'date', nullable: true, description: 'Set once the escalation is requested.' }) responseDueDate: string | null;
  @Category('deliberation', { type: String, nullable: true }) outcome: string | null;
  @NotPersonal({ format: 'date-time' }) createdAt: string;
}

export const escalationView = (r: EscalationRow, granted: ReadonlySet<CategoryName>) =>
  disclose(
    EscalationView,
    {
      id: r.id,
      caseId: r.case_id,
      track: r.track,
      targetOrganisationType: r.target_organisation_type,
      requestedByOrganisationId: r.requested_by_organisation_id,
      status: r.status,
      meetingId: r.meeting_id,
      agendaItemId: r.agenda_item_id,
      reason: r.reason,
      responseDueDate: r.response_due_date,
      outcome: r.outcome,
      createdAt: new Date(r.created_at).toISOString(),
    },
    granted,
  );
