import { Global, Module } from '@nestjs/common';
import { DomainEventService } from './domain-event.service';
import { NotificationService } from './notification.service';

/**
 * Domain events (outbox) and the one writer of notifications, for every process. The relay and the
 * consumers run in worker processes (NotificationWorkerModule); the inbox is served by InboxModule.
 */
@Global()
@Module({ providers: [DomainEventService, NotificationService], exports: [DomainEventService, NotificationService] })
export class NotificationsModule {}
