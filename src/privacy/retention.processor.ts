import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { QueueName, RetentionJob } from '../jobs/queues';
import { RetentionService } from './retention.service';

/** The retention queue: the nightly sweep and one erasure per case. Each is safe to run twice (the case's `erased_at` decides). */
@Processor(QueueName.Retention)
export class RetentionProcessor extends WorkerHost {
  // Typed as a total map: a job name without a handler does not compile.
  private readonly handlers: Record<RetentionJob, (job: Job) => Promise<unknown>> = {
    [RetentionJob.Sweep]: () => this.retention.sweep(),
    [RetentionJob.EraseCase]: (job) => this.retention.eraseIfDue(String((job.data as { caseId: string }).caseId)),
  };

  constructor(private readonly retention: RetentionService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as RetentionJob];
    if (!handler) throw new Error(`No handler for job ${job.name} on queue ${QueueName.Retention}`);
    return handler(job);
  }
}
