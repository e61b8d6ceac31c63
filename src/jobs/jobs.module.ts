import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { redisOptions } from '../common/redis';
import { LogSealProcessor } from '../sharing/log-seal.processor';
import { MailWorkerModule } from '../mail/mail-worker.module';
import { MeetingsModule } from '../meetings/meetings.module';
import { NotificationWorkerModule } from '../notifications/notification-worker.module';
import { ReminderWorkerModule } from '../reminders/reminder-worker.module';
import { LogSealService } from '../sharing/log-seal.service';
import { LogVerificationProcessor } from '../sharing/log-verification.processor';
import { LogVerifier } from '../sharing/log-verifier';
import { WebhookWorkerModule } from '../webhooks/webhook-worker.module';
import { PrivacyWorkerModule } from '../privacy/privacy-worker.module';
import { JobsShutdown } from './jobs-shutdown';
import { MaintenanceProcessor } from './maintenance.processor';
import { LoggedWorker, QueueErrorLogger } from './queue-errors';
import { queueMapProvider } from './queue-map';
import { QUEUES } from './queues';
import { SchedulerService } from './scheduler.service';

/**
 * Queues are registered in every process (the API enqueues); processors and schedulers only where
 * `worker` is true, so API and worker processes can be scaled apart.
 */
@Module({})
export class JobsModule {
  static forRoot(options: { worker: boolean }): DynamicModule {
    // The request path never waits on a queue: changes are written to the outbox in PostgreSQL and
    // relayed, so queues and workers share one connection profile (BullMQ wants maxRetriesPerRequest null).
    const queues = BullModule.registerQueue(...QUEUES.map((name) => ({ name })));
    BullModule.workerClass = LoggedWorker;
    return {
      module: JobsModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            prefix: `${config.REDIS_PREFIX}:bull`,
            // BullMQ requires maxRetriesPerRequest: null for workers' blocking connections.
            connection: redisOptions(config.REDIS_URL, { maxRetriesPerRequest: null }) as BullRedisOptions,
          }),
        }),
        queues,
        DiscoveryModule,
        // The worker runs the services of these modules; it imports them rather than constructing second copies.
        ...(options.worker ? [MeetingsModule, NotificationWorkerModule, ReminderWorkerModule, MailWorkerModule, WebhookWorkerModule, PrivacyWorkerModule] : []),
      ],
      providers: [
        queueMapProvider,
        QueueErrorLogger,
        JobsShutdown,
        ...(options.worker ? [MaintenanceProcessor, LogSealProcessor, LogSealService, LogVerificationProcessor, LogVerifier, SchedulerService] : []),
      ],
      // The queue map for the metrics and the queue dashboard; SchedulerService for readiness (worker processes only).
      exports: [queues, queueMapProvider, ...(options.worker ? [SchedulerService] : [])],
    };
  }
}
