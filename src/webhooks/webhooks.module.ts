import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookSecrets } from './webhook-secrets';
import { WebhookSubscriptionController } from './webhook-subscription.controller';
import { WebhookSubscriptionService } from './webhook-subscription.service';
import { requireHttpsWebhooks } from './webhook-url';

/** The subscriptions API (HTTP processes). Deliveries are recorded by WebhookChannel and sent by the worker's dispatcher. */
@Module({
  controllers: [WebhookSubscriptionController],
  providers: [WebhookSubscriptionService, WebhookDeliveryService, WebhookSecrets],
})
export class WebhooksModule {
  constructor(config: AppConfig) {
    // The DTO validator reads it: https targets only in production.
    requireHttpsWebhooks(config.isProduction);
  }
}
