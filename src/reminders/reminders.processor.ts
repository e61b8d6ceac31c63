import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { QueueName, ReminderJob } from '../jobs/queues';
import { OCCASIONS } from './reminder-occasion';
import { ReminderNoticeService } from './reminder-notice.service';
import { NoticeJobData, ReminderSweepService } from './reminder-sweep.service';
import { ScheduledDraftService } from './scheduled-draft.service';

/**
 * The reminders queue: the sweep, and one job per entity and occasion. Each is safe to run twice: its
 * effects are keyed by the database (the notifications' (recipient, cause), the handled occasions, a
 * meeting's draft stamp), not by the job's id.
 */
@Processor(QueueName.Reminders, { concurrency: 2 })
export class RemindersProcessor extends WorkerHost {
  // Typed as a total map: a job name without a handler does not compile.
  private readonly handlers: Record<ReminderJob, (job: Job) => Promise<unknown>> = {
    [ReminderJob.Sweep]: () => this.sweeper.sweep(),
    [ReminderJob.SendNotice]: (job) => {
      const { occasion, entityId, date } = job.data as NoticeJobData;
      if (!(occasion in OCCASIONS)) throw new Error(`unknown reminder occasion ${String(occasion)}`);
      return this.notices.send(occasion, String(entityId), String(date));
    },
    [ReminderJob.DraftAgenda]: (job) => this.drafts.draft(String((job.data as { meetingId: string }).meetingId)),
  };

  constructor(
    private readonly sweeper: ReminderSweepService,
    private readonly notices: ReminderNoticeService,
    private readonly drafts: ScheduledDraftService,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as ReminderJob];
    if (!handler) throw new Error(`No handler for job ${job.name} on queue ${QueueName.Reminders}`);
    return handler(job);
  }
}
