import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { MaintenanceJob, QueueName } from './queues';

/** House-keeping jobs. Each handler is safe to run twice. */
@Processor(QueueName.Maintenance)
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  // Typed as a total map: a job name without a handler does not compile.
  private readonly handlers: Record<MaintenanceJob, () => Promise<unknown>> = {
    [MaintenanceJob.PurgeExpiredSessions]: () => this.purgeExpiredSessions(),
  };

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as MaintenanceJob];
    if (!handler) throw new Error(`No handler for job ${job.name} on queue ${QueueName.Maintenance}`);
    return handler();
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
