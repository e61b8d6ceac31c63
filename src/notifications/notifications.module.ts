import { Global, Module } from '@nestjs/common';
import { MailChannel } from '../mail/mail.channel';
import { WebhookChannel } from '../webhooks/webhook.channel';
import { DomainEventService } from './domain-event.service';
import { NOTIFICATION_CHANNELS, NotificationChannel, NotificationService } from './notification.service';

/**
 * Domain events (outbox) and the one writer of notifications, for every process. The relay and the
 * consumers run in worker processes (NotificationWorkerModule); the inbox is served by InboxModule.
 * The channels (e-mail, webhooks) record what they will send in notify()'s transaction; their own
 * workers send it.
 */
@Global()
@Module({
  providers: [
    DomainEventService,
    NotificationService,
    MailChannel,
    WebhookChannel,
    { provide: NOTIFICATION_CHANNELS, useFactory: (...channels: NotificationChannel[]) => channels, inject: [MailChannel, WebhookChannel] },
  ],
  // MailChannel also for the mail dispatcher (worker processes), which sends at once when recorded e-mails commit.
  exports: [DomainEventService, NotificationService, MailChannel],
})
export class NotificationsModule {}
