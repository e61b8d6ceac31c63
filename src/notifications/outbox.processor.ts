import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { OutboxJob, QueueName } from '../jobs/queues';
import { OutboxRelay } from './outbox-relay.service';

/** The outbox's scheduled jobs. Both are safe to run twice and in two workers at once (SKIP LOCKED claims). */
@Processor(QueueName.Outbox)
export class OutboxProcessor extends WorkerHost {
  // Typed as a total map: a job name without a handler does not compile.
  private readonly handlers: Record<OutboxJob, (job: Job) => Promise<unknown>> = {
    [OutboxJob.Relay]: () => this.relay.relayPending(),
    [OutboxJob.Sweep]: () => this.relay.sweep(),
  };

  constructor(private readonly relay: OutboxRelay) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as OutboxJob];
    if (!handler) throw new Error(`No handler for job ${job.name} on queue ${QueueName.Outbox}`);
    return handler(job);
  }
}
