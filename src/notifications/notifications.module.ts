import { Global, Module } from '@nestjs/common';
import { DomainEventService } from './domain-event.service';

/** Domain events (outbox). Delivery by e-mail, webhooks and inbox plugs in here. */
@Global()
@Module({ providers: [DomainEventService], exports: [DomainEventService] })
export class NotificationsModule {}
