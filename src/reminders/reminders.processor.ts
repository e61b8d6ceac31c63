import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { QueueName, ReminderJob } from '../jobs/queues';
import { OCCASIONS } from './reminder-occasion';
import { ReminderNoticeService } from './reminder-notice.service';
import { entityJob, NoticeJobData, NoticesJobData, ReminderSweepService } from './reminder-sweep.service';
import { ScheduledDraftService } from './scheduled-draft.service';

/**
 * The reminders queue: the sweep, and one job per entity and occasion. Each is safe to run twice: its
 * effects are keyed by the database (the notifications' (recipient, cause), the handled occasions, a
 * meeting's draft stamp), not by the job's id.
 */
@Processor(QueueName.Reminders, { concurrency: 4 })
export class RemindersProcessor extends WorkerHost {
  // Typed as a total map: a job name without a handler does not compile.
  private readonly handlers: Record<ReminderJob, (job: Job) => Promise<unknown>> = {
    [ReminderJob.Sweep]: () => this.sweeper.sweep(),
    [ReminderJob.SendNotice]: (job) => {
      const { occasion, entityId, date } = job.data as NoticeJobData;
      if (!(occasion in OCCASIONS)) throw new Error(`unknown reminder occasion ${String(occasion)}`);
      return this.notices.send(occasion, String(entityId), String(date));
    },
    [ReminderJob.SendNotices]: (job) => this.sendBatch(job.data as NoticesJobData),
    [ReminderJob.DraftAgenda]: (job) => this.drafts.draft(String((job.data as { meetingId: string }).meetingId)),
  };

  private readonly logger = new Logger('Reminders');

  constructor(
    @InjectQueue(QueueName.Reminders) private readonly queue: Queue,
    private readonly sweeper: ReminderSweepService,
    private readonly notices: ReminderNoticeService,
    private readonly drafts: ScheduledDraftService,
  ) {
    super();
  }

  /**
   * A batch in one transaction; if that fails (one entity's row breaks it, say), one job per entity instead,
   * each retried on its own with backoff: the others are told at once, and only the failing one waits.
   */
  private async sendBatch(data: NoticesJobData): Promise<unknown> {
    const { occasion, items } = data;
    if (!(occasion in OCCASIONS) || !Array.isArray(items)) throw new Error('malformed reminder batch');
    try {
      const results = await this.notices.sendMany(occasion, items);
      return { batch: items.length, sent: results.filter((r) => r.status === 'sent').length };
    } catch (e) {
      this.logger.warn({ event: 'reminder_batch_split', occasion, entities: items.length, cause: (e as Error).name }, 'a reminder batch failed; its entities are retried one by one');
      await this.queue.addBulk(items.map((i) => entityJob(occasion, { id: i.entityId, date: i.date })));
      return { batch: items.length, split: true };
    }
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as ReminderJob];
    if (!handler) throw new Error(`No handler for job ${job.name} on queue ${QueueName.Reminders}`);
    return handler(job);
  }
}
