import { Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhookPayloads } from './webhook-payload.service';
import { WebhookSecrets } from './webhook-secrets';
import { WebhooksProcessor } from './webhooks.processor';

/** The worker side of webhooks: the dispatcher and its scheduled job. Worker processes only. */
@Module({
  providers: [WebhookDispatcher, WebhookPayloads, WebhookSecrets, WebhooksProcessor],
  exports: [WebhookDispatcher],
})
export class WebhookWorkerModule {}
