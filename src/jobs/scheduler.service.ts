import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AuditJob, MaintenanceJob, QueueName } from './queues';

const TZ = 'Europe/Amsterdam';

/**
 * How often the logs are sealed. An entry stays unsealed for at most this interval plus the longest
 * transaction open when it was written (see LogSealService).
 */
export const SEAL_INTERVAL_MS = 10_000;

/** Registers the repeatable jobs (idempotent: upsert by scheduler id). Runs in worker processes. */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue,
    @InjectQueue(QueueName.Audit) private readonly audit: Queue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.maintenance.upsertJobScheduler(
      MaintenanceJob.PurgeExpiredSessions,
      { pattern: '15 3 * * *', tz: TZ },
      { name: MaintenanceJob.PurgeExpiredSessions, data: {}, opts: { removeOnComplete: 100, removeOnFail: 500 } },
    );
    await this.maintenance.upsertJobScheduler(
      MaintenanceJob.GenerateMeetings,
      { pattern: '30 2 * * *', tz: TZ },
      { name: MaintenanceJob.GenerateMeetings, data: {}, opts: { removeOnComplete: 100, removeOnFail: 500 } },
    );
    // A fixed interval, not a cron pattern: the delay before an entry is sealed should not depend on the clock.
    await this.audit.upsertJobScheduler(
      AuditJob.SealLogs,
      { every: SEAL_INTERVAL_MS },
      { name: AuditJob.SealLogs, data: {}, opts: { removeOnComplete: 100, removeOnFail: 500 } },
    );
  }
}
