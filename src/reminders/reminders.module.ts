import { Module } from '@nestjs/common';
import { ReminderRepository } from './reminder.repository';
import { ReminderSettingsController } from './reminder-settings.controller';
import { ReminderSettingsService } from './reminder-settings.service';

/** A table's reminder settings, for every process that serves HTTP (and for the worker's jobs, which read them). */
@Module({
  controllers: [ReminderSettingsController],
  providers: [ReminderRepository, ReminderSettingsService],
  exports: [ReminderRepository, ReminderSettingsService],
})
export class RemindersModule {}
