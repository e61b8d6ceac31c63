import type { Category } from '../sharing/categories';

/**
 * What a notification says happened. The inbox shows the kind; the rest is disclosed per reader. E-mails
 * and webhooks name the kind (with a Dutch label in e-mails) and never carry personal data.
 */
export enum NotificationKind {
  /** An action outside a meeting (the chain automation) was assigned to the recipient's organisation. */
  ActionAssigned = 'action_assigned',
  /** The meeting that agreed an action of the recipient's organisation was closed (DOMAIN.md section 4, step 6). */
  ActionAgreed = 'action_agreed',
  /** An action was reported done (to the chair). */
  ActionCompleted = 'action_completed',
  /** An action of the recipient's organisation is due within the table's reminder period (default 2 working days). */
  ActionDueSoon = 'action_due_soon',
  /** An action is overdue: to its owner organisation (and owner user) and to the chair. */
  ActionOverdue = 'action_overdue',
  /** An action is overdue by the table's alert period (default 5 working days): to the chain marine. */
  ActionOverdueAlert = 'action_overdue_alert',
  /** An escalation addressed to the recipient's organisation type was requested. */
  EscalationRequested = 'escalation_requested',
  /** A requested escalation's response deadline is near (default: the next working day): to the target. */
  EscalationResponseDue = 'escalation_response_due',
  /** A requested escalation's response deadline passed unanswered: to the chair and the chain marine. */
  EscalationResponseOverdue = 'escalation_response_overdue',
  /** The draft agenda of a meeting was assembled by the schedule (to the chair). */
  AgendaDrafted = 'agenda_drafted',
  /** The agenda of a meeting of the recipient's table was published. */
  AgendaPublished = 'agenda_published',
  /** A webhook delivery to the recipient's organisation failed for good (after its last retry). */
  WebhookDeliveryFailed = 'webhook_delivery_failed',
}

/**
 * The category of the fact each kind reports. Even that an action or an escalation exists is the table's
 * deliberation, so such a notice goes only to organisations granted it, and its case is shown only while
 * it still is; `null`: the notice holds nothing of a case (a meeting's agenda, a webhook delivery).
 */
export const NOTIFICATION_CATEGORY: Record<NotificationKind, Category | null> = {
  [NotificationKind.ActionAssigned]: 'deliberation',
  [NotificationKind.ActionAgreed]: 'deliberation',
  [NotificationKind.ActionCompleted]: 'deliberation',
  [NotificationKind.ActionDueSoon]: 'deliberation',
  [NotificationKind.ActionOverdue]: 'deliberation',
  [NotificationKind.ActionOverdueAlert]: 'deliberation',
  [NotificationKind.EscalationRequested]: 'deliberation',
  [NotificationKind.EscalationResponseDue]: 'deliberation',
  [NotificationKind.EscalationResponseOverdue]: 'deliberation',
  [NotificationKind.AgendaDrafted]: null,
  [NotificationKind.AgendaPublished]: null,
  [NotificationKind.WebhookDeliveryFailed]: null,
};

/** What a notification links to; the inbox reads the live due date of actions and escalations. */
export type NotificationResource = 'action' | 'escalation' | 'meeting' | 'webhook_delivery';
