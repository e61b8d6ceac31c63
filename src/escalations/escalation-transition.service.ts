import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Permission } from '../auth/permissions';
import { requireCaseStillOpen } from '../cases/incident.service';
import { Clock } from '../common/clock';
import { ORGANISATION_TYPE_LABELS, label } from '../common/labels';
import { forbidden, notFound } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { addWorkingDays } from '../common/working-days';
import { DomainEventService } from '../notifications/domain-event.service';
import { AccessService } from '../sharing/access.service';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { EscalationReasonDto } from './escalation.dto';
import { EscalationRepository } from './escalation.repository';
import { EscalationSettingsService } from './escalation-settings.service';
import { ESCALATION_ACTIONS, EscalationAction, requireEscalationTransition } from './escalation-status';
import { escalationCategories, escalationView, EscalationView } from './escalation-view';
import { EscalationError } from './escalations.errors';
import { Purpose } from '../sharing/purposes';

const PURPOSE: Record<EscalationAction, Purpose> = {
  request: Purpose.Escalation,
  withdraw: Purpose.Escalation,
  accept: Purpose.Escalation,
  reject: Purpose.Escalation,
  complete: Purpose.Escalation,
};

/**
 * The status changes of an escalation (see ESCALATION_ACTIONS): each with a reason, kept in its history, in
 * the audit and processing logs and as a domain event, all in one transaction with the change. Who may is
 * decided in two steps: AccessService for the table role (the chair for the table's own changes), then here
 * whether the caller's organisation is the track's target, refused through AccessService.deny so that it
 * is audited like every refusal. Then the status: an illegal change is 409 and changes nothing.
 */
@Injectable()
export class EscalationTransitionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
    private readonly escalations: EscalationRepository,
    private readonly settings: EscalationSettingsService,
    private readonly clock: Clock,
  ) {}

  async apply(ctx: RequestContext, id: string, action: EscalationAction, dto: EscalationReasonDto): Promise<Partial<EscalationView>> {
    const spec = ESCALATION_ACTIONS[action];
    const operation = `escalation.${action}`;
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const permission = spec.by === 'table' ? Permission.EscalationManage : Permission.EscalationRespond;
      const access = await this.access.require(ctx, 'escalation', id, { permission, operation }, m);
      const row = await this.escalations.lock(m, id);
      // Its case moved to another table between the check and the lock: no longer the caller's.
      if (!row || row.table_id !== access.tableId) throw notFound('Escalation');
      const p = ctx.principal;
      if (spec.by === 'target' && p.organisationType !== row.target_organisation_type) {
        const target = label(ORGANISATION_TYPE_LABELS, row.target_organisation_type);
        await this.access.deny(ctx, operation, access, forbidden(EscalationError.NotTargetOrganisation, `Only the ${target} answers this escalation: its track is addressed to them.`));
      }
      requireEscalationTransition(row.status, spec.to);
      if (action === 'request') await requireCaseStillOpen(m, access);

      const fields =
        action === 'request'
          ? {
              requestedByOrganisationId: p.organisationId,
              responseDueDate: addWorkingDays(this.clock.today(), await this.settings.responseWorkingDays(m, access.tableId, row.track)),
              reason: dto.reason,
            }
          : spec.by === 'target'
            ? { outcome: dto.reason }
            : {};
      await this.escalations.applyTransition(m, id, spec.to, now, fields);
      await this.escalations.insertEvent(m, { escalationId: id, from: row.status, to: spec.to, reason: dto.reason, actorKind: p.kind, actorOrganisationId: p.organisationId, at: now });
      const updated = (await this.escalations.findById(m, id))!;
      await this.events.raise(m, {
        type: spec.event,
        tableId: access.tableId,
        aggregateType: 'escalation',
        aggregateId: id,
        payload: {
          escalationId: id,
          caseReference: updated.case_reference,
          track: updated.track,
          targetOrganisationType: updated.target_organisation_type,
          fromStatus: row.status,
          toStatus: spec.to,
          responseDueDate: updated.response_due_date,
        },
      });
      await this.log.record(m, ctx, access, {
        operation,
        activityCategory: 'deliberation',
        categories: escalationCategories([updated], access.categories),
        subjects: [{ subjectId: access.subjectId, vNumber: access.vNumber }],
        purpose: PURPOSE[action],
        startedAt: now,
      });
      return escalationView(updated, access.categories, await this.escalations.findHistory(m, id));
    });
  }
}
