import { Module } from '@nestjs/common';
import { MailDeliveryRepository } from './mail-delivery.repository';
import { MailDispatcher } from './mail-dispatcher.service';
import { MailProcessor } from './mail.processor';
import { MailTransport } from './mail-transport.service';

/**
 * Sending e-mail, in worker processes only. Recording it is the MailChannel's, provided with the other
 * notification channels by NotificationsModule in every process.
 */
@Module({
  providers: [MailDeliveryRepository, MailTransport, MailDispatcher, MailProcessor],
  exports: [MailDispatcher, MailDeliveryRepository],
})
export class MailWorkerModule {}
