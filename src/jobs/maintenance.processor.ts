import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { MeetingService } from '../meetings/meeting.service';
import { MaintenanceJob, QueueName } from './queues';

const MEETING_WEEKS_AHEAD = 8;

/** House-keeping jobs. Each handler is safe to run twice. */
@Processor(QueueName.Maintenance)
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  // Typed as a total map: a job name without a handler does not compile.
  private readonly handlers: Record<MaintenanceJob, (job: Job) => Promise<unknown>> = {
    [MaintenanceJob.PurgeExpiredSessions]: () => this.purgeExpiredSessions(),
    [MaintenanceJob.GenerateMeetings]: () => this.enqueueMeetingGeneration(),
    [MaintenanceJob.GenerateMeetingsForTable]: (job) => this.generateMeetings((job.data as { tableId: string }).tableId),
  };

  constructor(
    private readonly dataSource: DataSource,
    private readonly meetings: MeetingService,
    @InjectQueue(QueueName.Maintenance) private readonly queue: Queue,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as MaintenanceJob];
    if (!handler) throw new Error(`No handler for job ${job.name} on queue ${QueueName.Maintenance}`);
    return handler(job);
  }

  /** One job per active table, so that one table's failure (e.g. an unreadable cadence) is retried on its own. */
  async enqueueMeetingGeneration(): Promise<{ tables: number }> {
    const tables: { id: string }[] = await this.dataSource.query(`SELECT id FROM chain_table WHERE active ORDER BY id`);
    await this.queue.addBulk(
      tables.map((t) => ({
        name: MaintenanceJob.GenerateMeetingsForTable,
        data: { tableId: t.id },
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: 100, removeOnFail: 500 },
      })),
    );
    return { tables: tables.length };
  }

  /** Safe to run twice: a cadence occurrence is keyed by the unique (table_id, cadence_slot). */
  async generateMeetings(tableId: string): Promise<{ created: number }> {
    const created = await this.meetings.generateAhead(tableId, MEETING_WEEKS_AHEAD);
    return { created: created.length };
  }

  /** Sessions past their refresh lifetime, and revoked ones older than a day, are deleted. */
  async purgeExpiredSessions(): Promise<{ deleted: number }> {
    const [, deleted] = await this.dataSource.query(
      `DELETE FROM auth_session WHERE expires_at < now() OR revoked_at < now() - interval '1 day'`,
    );
    this.logger.log({ deleted }, 'purged expired sessions');
    return { deleted: Number(deleted) };
  }
}
