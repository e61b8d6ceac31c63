import { HttpStatus } from '@nestjs/common';
import { CommonError, DomainException } from '../common/problem';
import { DomainEventType } from '../notifications/domain-event.service';
import type { EscalationStatus } from './escalation.entity';

/**
 * proposed → requested → accepted | rejected; accepted → completed. The table may withdraw what it has not
 * had answered in full: a proposal, a request, or an accepted escalation that was not completed. Rejected,
 * completed and withdrawn are final: a new need is a new escalation.
 * - `table`: the chair of the case's table decides (requests, withdraws);
 * - `target`: an official of an organisation of the track's target type at the case's table, or its
 *   partner system with `escalations:write`, answers (accepts, rejects, completes).
 */
export const ESCALATION_ACTIONS = {
  request: { from: ['proposed'], to: 'requested', by: 'table', event: DomainEventType.EscalationRequested },
  withdraw: { from: ['proposed', 'requested', 'accepted'], to: 'withdrawn', by: 'table', event: DomainEventType.EscalationWithdrawn },
  accept: { from: ['requested'], to: 'accepted', by: 'target', event: DomainEventType.EscalationAccepted },
  reject: { from: ['requested'], to: 'rejected', by: 'target', event: DomainEventType.EscalationRejected },
  complete: { from: ['accepted'], to: 'completed', by: 'target', event: DomainEventType.EscalationCompleted },
} as const satisfies Record<string, { from: readonly EscalationStatus[]; to: EscalationStatus; by: 'table' | 'target'; event: DomainEventType }>;
export type EscalationAction = keyof typeof ESCALATION_ACTIONS;

/** The same table per status: where each status may go. */
export const ESCALATION_TRANSITIONS: Record<EscalationStatus, readonly EscalationStatus[]> = {
  proposed: ['requested', 'withdrawn'],
  requested: ['accepted', 'rejected', 'withdrawn'],
  accepted: ['completed', 'withdrawn'],
  rejected: [],
  completed: [],
  withdrawn: [],
};

/** Refuses (409, nothing changed) a change ESCALATION_TRANSITIONS does not allow. */
export function requireEscalationTransition(from: EscalationStatus, to: EscalationStatus): void {
  if (!ESCALATION_TRANSITIONS[from].includes(to)) {
    throw new DomainException(HttpStatus.CONFLICT, CommonError.IllegalTransition, `An escalation cannot go from ${from} to ${to}.`, {
      fromStatus: from,
      toStatus: to,
      allowed: ESCALATION_TRANSITIONS[from],
    });
  }
}
