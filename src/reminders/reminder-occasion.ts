import { NotificationKind } from '../notifications/notification-kind';
import type { Direction } from './reminder-calendar';
import type { ReminderSetting } from './reminder-settings.defaults';

/** The notices between meetings that fall on a day counted from an action's due date or an escalation's deadline. */
export enum Occasion {
  /** To the owner organisation and owner user, before the due date. */
  ActionDue = 'action-due',
  /** To the owner organisation, owner user and chair, once overdue. */
  ActionOverdue = 'action-overdue',
  /** To the chain marine, when overdue for the table's alert period. */
  ActionOverdueAlert = 'action-overdue-alert',
  /** To the target organisation type, before the response deadline of a requested escalation. */
  EscalationDue = 'escalation-due',
  /** To the chair and the chain marine, on the first working day after the deadline of an escalation still requested. */
  EscalationOverdue = 'escalation-overdue',
}

export interface OccasionSpec {
  entity: 'action' | 'escalation';
  /** The notification's cause is `<prefix>:<entity id>:<date>`, so that a new due date or deadline is a new occasion. */
  causePrefix: string;
  kind: NotificationKind;
  direction: Direction;
  /** The table's setting that gives the working days; null: always `fixedWorkingDays`. */
  setting: ReminderSetting | null;
  fixedWorkingDays: number;
}

export const OCCASIONS: Readonly<Record<Occasion, OccasionSpec>> = {
  [Occasion.ActionDue]: {
    entity: 'action',
    causePrefix: 'reminder:action-due',
    kind: NotificationKind.ActionDueSoon,
    direction: 'before',
    setting: 'actionDueReminderWorkingDays',
    fixedWorkingDays: 0,
  },
  [Occasion.ActionOverdue]: {
    entity: 'action',
    causePrefix: 'notice:action-overdue',
    kind: NotificationKind.ActionOverdue,
    direction: 'after',
    setting: 'actionOverdueNoticeWorkingDays',
    fixedWorkingDays: 0,
  },
  [Occasion.ActionOverdueAlert]: {
    entity: 'action',
    causePrefix: 'alert:action-overdue',
    kind: NotificationKind.ActionOverdueAlert,
    direction: 'after',
    setting: 'actionOverdueAlertWorkingDays',
    fixedWorkingDays: 0,
  },
  [Occasion.EscalationDue]: {
    entity: 'escalation',
    causePrefix: 'reminder:escalation-due',
    kind: NotificationKind.EscalationResponseDue,
    direction: 'before',
    setting: 'escalationResponseReminderWorkingDays',
    fixedWorkingDays: 0,
  },
  // "Passed" is a fact, not a setting: the first working day after the deadline day.
  [Occasion.EscalationOverdue]: {
    entity: 'escalation',
    causePrefix: 'alert:escalation-overdue',
    kind: NotificationKind.EscalationResponseOverdue,
    direction: 'after',
    setting: null,
    fixedWorkingDays: 1,
  },
};

export const OCCASION_LIST = Object.values(Occasion);

export const occasionCause = (occasion: Occasion, entityId: string, date: string) => `${OCCASIONS[occasion].causePrefix}:${entityId}:${date}`;

/** The cause of the scheduled draft's notice to the chair: a meeting is drafted by the schedule at most once. */
export const draftCause = (meetingId: string) => `draft:${meetingId}`;

/**
 * The BullMQ job id of an occasion (BullMQ refuses `:` in custom ids). It only spares Redis a duplicate job
 * while one is there; that each notice is written once comes from the database (see ReminderNoticeService).
 */
export const occasionJobId = (occasion: Occasion, entityId: string, date: string) => `${occasion}-${entityId}-${date}`;
export const draftJobId = (meetingId: string) => `draft-${meetingId}`;
