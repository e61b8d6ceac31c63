import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { QueueName, WebhookJob } from '../jobs/queues';
import { WebhookDispatcher } from './webhook-dispatcher.service';

/** The webhooks queue's scheduled job. Safe to run twice and on several workers at once (SKIP LOCKED claims and leases). */
@Processor(QueueName.Webhooks)
export class WebhooksProcessor extends WorkerHost {
  // Typed as a total map: a job name without a handler does not compile.
  private readonly handlers: Record<WebhookJob, (job: Job) => Promise<unknown>> = {
    [WebhookJob.Dispatch]: () => this.dispatcher.dispatch(),
  };

  constructor(private readonly dispatcher: WebhookDispatcher) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as WebhookJob];
    if (!handler) throw new Error(`No handler for job ${job.name} on queue ${QueueName.Webhooks}`);
    return handler(job);
  }
}
