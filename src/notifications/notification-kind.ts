import type { Category } from '../sharing/categories';

/** What a notification says happened. The inbox shows the kind; the rest is disclosed per reader. */
export enum NotificationKind {
  /** An action outside a meeting (the chain automation) was assigned to the recipient's organisation. */
  ActionAssigned = 'action_assigned',
  /** The meeting that agreed an action of the recipient's organisation was closed (DOMAIN.md section 4, step 6). */
  ActionAgreed = 'action_agreed',
  /** An action was reported done (to the chair). */
  ActionCompleted = 'action_completed',
  /** An escalation addressed to the recipient's organisation type was requested. */
  EscalationRequested = 'escalation_requested',
  /** The agenda of a meeting of the recipient's table was published. */
  AgendaPublished = 'agenda_published',
}

/**
 * The category of the fact each kind reports. Even that an action or an escalation exists is the table's
 * deliberation, so such a notice goes only to organisations granted it, and its case is shown only while
 * it still is; `null`: the notice holds nothing of a case (a meeting's agenda).
 */
export const NOTIFICATION_CATEGORY: Record<NotificationKind, Category | null> = {
  [NotificationKind.ActionAssigned]: 'deliberation',
  [NotificationKind.ActionAgreed]: 'deliberation',
  [NotificationKind.ActionCompleted]: 'deliberation',
  [NotificationKind.EscalationRequested]: 'deliberation',
  [NotificationKind.AgendaPublished]: null,
};

/** What a notification links to; the inbox reads the live due date of actions and escalations. */
export type NotificationResource = 'action' | 'escalation' | 'meeting';
