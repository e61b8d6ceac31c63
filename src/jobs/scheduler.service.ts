import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { MaintenanceJob, QueueName } from './queues';

const TZ = 'Europe/Amsterdam';

/** Registers the repeatable jobs (idempotent: upsert by scheduler id). Runs in worker processes. */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap {
  constructor(@InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.maintenance.upsertJobScheduler(
      MaintenanceJob.PurgeExpiredSessions,
      { pattern: '15 3 * * *', tz: TZ },
      { name: MaintenanceJob.PurgeExpiredSessions, data: {}, opts: { removeOnComplete: 100, removeOnFail: 500 } },
    );
  }
}
