import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { NotificationJob, QueueName } from '../jobs/queues';
import { EventDeliveryService } from './event-delivery.service';

/**
 * Deliveries of relayed domain events. Each is safe to run twice: its effects are keyed by the database
 * (the event's delivered mark and the notifications' unique (recipient, cause)), not by the job's id.
 */
@Processor(QueueName.Notifications, { concurrency: 2 })
export class NotificationProcessor extends WorkerHost {
  private readonly handlers: Record<NotificationJob, (job: Job) => Promise<unknown>> = {
    [NotificationJob.DeliverEvent]: (job) => this.delivery.deliver(String((job.data as { eventId: string }).eventId)),
  };

  constructor(private readonly delivery: EventDeliveryService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as NotificationJob];
    if (!handler) throw new Error(`No handler for job ${job.name} on queue ${QueueName.Notifications}`);
    return handler(job);
  }
}
