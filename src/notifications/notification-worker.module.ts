import { Module } from '@nestjs/common';
import { EventDeliveryService } from './event-delivery.service';
import { NotificationProcessor } from './notification.processor';
import { OutboxListener } from './outbox-listener';
import { OutboxProcessor } from './outbox.processor';
import { OutboxRelay } from './outbox-relay.service';

/** The worker side of notifications: the outbox relay, its sweep and listener, and the consumer of events. Worker processes only. */
@Module({
  providers: [OutboxRelay, OutboxListener, OutboxProcessor, EventDeliveryService, NotificationProcessor],
  exports: [OutboxRelay, EventDeliveryService],
})
export class NotificationWorkerModule {}
