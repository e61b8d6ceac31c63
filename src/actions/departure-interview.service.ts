import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import type { RequestContext } from '../common/request-context';
import { addWorkingDays } from '../common/working-days';
import { EscalationSettingsService } from '../escalations/escalation-settings.service';
import { DomainEventService, DomainEventType } from '../notifications/domain-event.service';
import type { CaseAccess } from '../sharing/access.service';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { Purpose } from '../sharing/purposes';

/**
 * The action's text, read by every member organisation (deliberation): it names the task, not the
 * decision that caused it (which is `procedure`).
 */
export const DEPARTURE_INTERVIEW_DESCRIPTION = 'Vertrekgesprek';

/**
 * Chain automation from the source documents: DT&V is present when a negative decision on the asylum
 * application is handed over, and the first departure interview follows at once. So a negative IND
 * decision puts a departure interview on the case, owned by the table's DT&V member organisation and due
 * within the table's working days (default 2). Done by the system, not by the caller: logged so.
 */
@Injectable()
export class DepartureInterviewService {
  constructor(
    private readonly settings: EscalationSettingsService,
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
    private readonly clock: Clock,
  ) {}

  /**
   * In the decision's transaction, once per decision (the decision's own unique keys see to that). Returns
   * the new action's id, or null when the table turned the automation off or has no active DT&V member.
   */
  async onNegativeDecision(m: EntityManager, ctx: Pick<RequestContext, 'traceId'>, access: CaseAccess): Promise<string | null> {
    const config = await this.settings.departureInterview(m, access.tableId);
    if (!config.enabled) return null;
    const [dtv] = await m.query(
      `SELECT mo.organisation_id FROM table_member_organisation mo JOIN organisation o ON o.id = mo.organisation_id
        WHERE mo.table_id = $1 AND mo.left_at IS NULL AND o.active AND o.type = 'DTV'
        ORDER BY mo.joined_at, o.id LIMIT 1`,
      [access.tableId],
    );
    if (!dtv) return null;
    const now = this.clock.now();
    const dueDate = addWorkingDays(this.clock.today(), config.workingDays);
    const [action] = await m.query(
      `INSERT INTO action (case_id, owner_organisation_id, description, due_date, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5)
       RETURNING id, (SELECT reference FROM case_file WHERE id = $1) AS case_reference`,
      [access.caseId, dtv.organisation_id, DEPARTURE_INTERVIEW_DESCRIPTION, dueDate, now],
    );
    await this.events.raise(m, {
      type: DomainEventType.ActionAssigned,
      tableId: access.tableId,
      aggregateType: 'action',
      aggregateId: action.id,
      payload: { actionId: action.id, caseReference: action.case_reference, ownerOrganisationId: dtv.organisation_id, dueDate, createdBy: 'system' },
    });
    await this.log.recordBySystem(m, ctx.traceId, access.tableId, {
      operation: 'action.create_by_chain_automation',
      activityCategory: 'deliberation',
      categories: ['deliberation', 'procedure'],
      subjects: [{ subjectId: access.subjectId, vNumber: access.vNumber }],
      purpose: Purpose.ActionFollowUp,
      startedAt: now,
    });
    return action.id;
  }
}
