import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { AuditJob, QueueName } from '../jobs/queues';
import { LOGS, LogSealService, SealResult } from './log-seal.service';

/**
 * The audit queue: seals the processing and audit logs. Running it twice, or in two workers at once, is
 * harmless: each log's sealer takes an advisory lock and log_seal's keys are unique.
 */
@Processor(QueueName.Audit)
export class LogSealProcessor extends WorkerHost {
  private readonly logger = new Logger(LogSealProcessor.name);

  // Typed as a total map: a job name without a handler does not compile.
  private readonly handlers: Record<AuditJob, () => Promise<unknown>> = {
    [AuditJob.SealLogs]: () => this.sealLogs(),
  };

  constructor(private readonly sealer: LogSealService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as AuditJob];
    if (!handler) throw new Error(`No handler for job ${job.name} on queue ${QueueName.Audit}`);
    return handler();
  }

  /** Each log on its own: a failure sealing one must not keep the other from being sealed. */
  async sealLogs(): Promise<SealResult[]> {
    const outcomes = await Promise.allSettled(LOGS.map((log) => this.sealer.sealPending(log)));
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [{ log: LOGS[i], err: o.reason as unknown }] : []));
    for (const f of failed) this.logger.error({ err: f.err, log: f.log }, 'sealing failed');
    // The job fails (and shows as failed in the queue metrics) if either log could not be sealed.
    if (failed.length) throw new Error(`sealing failed for ${failed.map((f) => f.log).join(', ')}`);
    return outcomes.map((o) => (o as PromiseFulfilledResult<SealResult>).value);
  }
}
