/**
 * A table's working days between meetings (DOMAIN.md section 8), all counted with the Algemene termijnenwet
 * in Europe/Amsterdam. A table without its own row in `table_reminder_settings` runs on these defaults.
 */
export interface ReminderSettings {
  /** The action's owners are reminded this many working days before its due date (0: on the due date). */
  actionDueReminderWorkingDays: number;
  /** The owners and the chair are told this many working days after the due date (1: the first working day it is overdue). */
  actionOverdueNoticeWorkingDays: number;
  /** The chain marine is alerted when the action is this many working days overdue. */
  actionOverdueAlertWorkingDays: number;
  /** The target of a requested escalation is reminded this many working days before its response deadline (0: on the deadline). */
  escalationResponseReminderWorkingDays: number;
  /** The draft agenda of a planned meeting is assembled this many working days before the meeting's day. */
  agendaDraftWorkingDays: number;
}

export type ReminderSetting = keyof ReminderSettings;

export const DEFAULT_REMINDER_SETTINGS: Readonly<ReminderSettings> = {
  actionDueReminderWorkingDays: 2,
  actionOverdueNoticeWorkingDays: 1,
  actionOverdueAlertWorkingDays: 5,
  escalationResponseReminderWorkingDays: 1,
  agendaDraftWorkingDays: 2,
};

/** Inclusive bounds per setting; the database checks the same (migration 1764000600000). */
export const REMINDER_SETTING_BOUNDS: Readonly<Record<ReminderSetting, readonly [number, number]>> = {
  actionDueReminderWorkingDays: [0, 20],
  actionOverdueNoticeWorkingDays: [1, 20],
  actionOverdueAlertWorkingDays: [1, 60],
  escalationResponseReminderWorkingDays: [0, 20],
  agendaDraftWorkingDays: [1, 20],
};

/** The column of each setting in `table_reminder_settings`. */
export const REMINDER_SETTING_COLUMNS: Readonly<Record<ReminderSetting, string>> = {
  actionDueReminderWorkingDays: 'action_due_reminder_working_days',
  actionOverdueNoticeWorkingDays: 'action_overdue_notice_working_days',
  actionOverdueAlertWorkingDays: 'action_overdue_alert_working_days',
  escalationResponseReminderWorkingDays: 'escalation_response_reminder_working_days',
  agendaDraftWorkingDays: 'agenda_draft_working_days',
};

export const REMINDER_SETTINGS = Object.keys(DEFAULT_REMINDER_SETTINGS) as ReminderSetting[];
