import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { NotPersonal } from '../sharing/disclosure';
import { DEFAULT_REMINDER_SETTINGS as D, REMINDER_SETTING_BOUNDS as B } from './reminder-settings.defaults';

const WD = 'Working days (Algemene termijnenwet, Europe/Amsterdam).';

const DOCS = {
  actionDueReminderWorkingDays: `The owner organisation and owner user are reminded this many working days before an open action's due date; 0: on the due date (or the working day before it). ${WD}`,
  actionOverdueNoticeWorkingDays: `The owners and the chair are told this many working days after the due date (1: the first working day the action is overdue). ${WD}`,
  actionOverdueAlertWorkingDays: `The chain marine is alerted when an open action is this many working days overdue; not before the overdue notice. ${WD}`,
  escalationResponseReminderWorkingDays: `The target organisation type is reminded this many working days before a requested escalation's response deadline; 0: on the deadline. (When the deadline has passed, the chair and the chain marine are alerted on the first working day after it.) ${WD}`,
  agendaDraftWorkingDays: `The draft agenda of a planned meeting nobody drafted yet is assembled this many working days before the meeting's day, and the chair is told. ${WD}`,
};

/** What the body leaves out goes back to its default. */
export class PutReminderSettingsDto {
  @ApiPropertyOptional({ type: 'integer', minimum: B.actionDueReminderWorkingDays[0], maximum: B.actionDueReminderWorkingDays[1], default: D.actionDueReminderWorkingDays, description: DOCS.actionDueReminderWorkingDays })
  @IsOptional()
  @IsInt()
  @Min(B.actionDueReminderWorkingDays[0])
  @Max(B.actionDueReminderWorkingDays[1])
  actionDueReminderWorkingDays?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: B.actionOverdueNoticeWorkingDays[0], maximum: B.actionOverdueNoticeWorkingDays[1], default: D.actionOverdueNoticeWorkingDays, description: DOCS.actionOverdueNoticeWorkingDays })
  @IsOptional()
  @IsInt()
  @Min(B.actionOverdueNoticeWorkingDays[0])
  @Max(B.actionOverdueNoticeWorkingDays[1])
  actionOverdueNoticeWorkingDays?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: B.actionOverdueAlertWorkingDays[0], maximum: B.actionOverdueAlertWorkingDays[1], default: D.actionOverdueAlertWorkingDays, description: DOCS.actionOverdueAlertWorkingDays })
  @IsOptional()
  @IsInt()
  @Min(B.actionOverdueAlertWorkingDays[0])
  @Max(B.actionOverdueAlertWorkingDays[1])
  actionOverdueAlertWorkingDays?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: B.escalationResponseReminderWorkingDays[0], maximum: B.escalationResponseReminderWorkingDays[1], default: D.escalationResponseReminderWorkingDays, description: DOCS.escalationResponseReminderWorkingDays })
  @IsOptional()
  @IsInt()
  @Min(B.escalationResponseReminderWorkingDays[0])
  @Max(B.escalationResponseReminderWorkingDays[1])
  escalationResponseReminderWorkingDays?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: B.agendaDraftWorkingDays[0], maximum: B.agendaDraftWorkingDays[1], default: D.agendaDraftWorkingDays, description: DOCS.agendaDraftWorkingDays })
  @IsOptional()
  @IsInt()
  @Min(B.agendaDraftWorkingDays[0])
  @Max(B.agendaDraftWorkingDays[1])
  agendaDraftWorkingDays?: number;
}

/** The table's working days between meetings, its own or the defaults: configuration, no personal data. */
export class ReminderSettingsView {
  @NotPersonal({ type: 'integer', description: DOCS.actionDueReminderWorkingDays }) actionDueReminderWorkingDays: number;
  @NotPersonal({ type: 'integer', description: DOCS.actionOverdueNoticeWorkingDays }) actionOverdueNoticeWorkingDays: number;
  @NotPersonal({ type: 'integer', description: DOCS.actionOverdueAlertWorkingDays }) actionOverdueAlertWorkingDays: number;
  @NotPersonal({ type: 'integer', description: DOCS.escalationResponseReminderWorkingDays }) escalationResponseReminderWorkingDays: number;
  @NotPersonal({ type: 'integer', description: DOCS.agendaDraftWorkingDays }) agendaDraftWorkingDays: number;
}
