import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Permission } from '../auth/permissions';
import { Clock } from '../common/clock';
import { ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { AccessService } from '../sharing/access.service';
import { disclose } from '../sharing/disclosure';
import { PutReminderSettingsDto, ReminderSettingsView } from './reminder-settings.dto';
import { DEFAULT_REMINDER_SETTINGS, REMINDER_SETTINGS, ReminderSettings } from './reminder-settings.defaults';
import { ReminderRepository } from './reminder.repository';

const view = (s: ReminderSettings) => disclose(ReminderSettingsView, { ...s }, new Set()) as ReminderSettingsView;

/**
 * A table's working days between meetings: when actions and escalations are reminded and alerted, and when
 * the draft agenda is assembled. Configuration, not case data: members read it, the chair changes it; a
 * table on every default has no row.
 */
@Injectable()
export class ReminderSettingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly repository: ReminderRepository,
    private readonly clock: Clock,
  ) {}

  async get(ctx: RequestContext, tableId: string): Promise<ReminderSettingsView> {
    return this.dataSource.transaction(async (m) => {
      await this.access.require(ctx, 'table', tableId, { permission: Permission.ReminderSettingsRead, operation: 'reminder_settings.read' }, m);
      return view(await this.repository.settingsOf(m, tableId));
    });
  }

  /** Replaces the table's settings: what the body leaves out goes back to its default. */
  async put(ctx: RequestContext, tableId: string, dto: PutReminderSettingsDto): Promise<ReminderSettingsView> {
    const settings = Object.fromEntries(REMINDER_SETTINGS.map((k) => [k, dto[k] ?? DEFAULT_REMINDER_SETTINGS[k]])) as unknown as ReminderSettings;
    if (settings.actionOverdueAlertWorkingDays < settings.actionOverdueNoticeWorkingDays) {
      throw new ValidationProblem([
        {
          name: 'actionOverdueAlertWorkingDays',
          reason: `must not be less than actionOverdueNoticeWorkingDays (${settings.actionOverdueNoticeWorkingDays}): the chain marine is alerted after the owners are told`,
        },
      ]);
    }
    return this.dataSource.transaction(async (m) => {
      await this.access.require(ctx, 'table', tableId, { permission: Permission.ReminderSettingsManage, operation: 'reminder_settings.replace' }, m);
      await this.repository.saveSettings(m, tableId, settings, this.clock.now());
      return view(settings);
    });
  }
}
