import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { MailJob, QueueName } from '../jobs/queues';
import { MailDispatcher } from './mail-dispatcher.service';

/** The mail queue's scheduled job. Safe to run twice and in two workers at once: rows are claimed with SKIP LOCKED and a lease. */
@Processor(QueueName.Mail)
export class MailProcessor extends WorkerHost {
  // Typed as a total map: a job name without a handler does not compile.
  private readonly handlers: Record<MailJob, (job: Job) => Promise<unknown>> = {
    [MailJob.Dispatch]: () => this.dispatcher.dispatchPending(),
  };

  constructor(private readonly dispatcher: MailDispatcher) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as MailJob];
    if (!handler) throw new Error(`No handler for job ${job.name} on queue ${QueueName.Mail}`);
    return handler(job);
  }
}
