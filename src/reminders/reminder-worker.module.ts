import { Module } from '@nestjs/common';
import { AgendaModule } from '../meetings/agenda/agenda.module';
import { MeetingsModule } from '../meetings/meetings.module';
import { ReminderNoticeService } from './reminder-notice.service';
import { ReminderSweepService } from './reminder-sweep.service';
import { RemindersModule } from './reminders.module';
import { RemindersProcessor } from './reminders.processor';
import { ScheduledDraftService } from './scheduled-draft.service';

/** The worker side of the reminders: the sweep, the per-entity jobs and their processor. Worker processes only (JobsModule). */
@Module({
  imports: [RemindersModule, AgendaModule, MeetingsModule],
  providers: [ReminderSweepService, ReminderNoticeService, ScheduledDraftService, RemindersProcessor],
  exports: [ReminderSweepService, ReminderNoticeService, ScheduledDraftService],
})
export class ReminderWorkerModule {}
