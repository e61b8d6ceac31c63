import { Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown } from '@nestjs/common';
import { Job } from 'bullmq';
import { QueueName, VerificationJob } from '../jobs/queues';
import { LOGS } from './log-seal.service';
import { LogVerifier } from './log-verifier';

/**
 * The verification queue: checks both logs' hash chains, every minute from where the last run stopped,
 * nightly and on request from seq 1. Safe to run twice or in two workers at once: each log's verifier takes
 * an advisory lock, and a run that finds it taken does nothing.
 */
@Processor(QueueName.Verification)
export class LogVerificationProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private stopping = false;

  // Typed as a total map: a job name without a handler does not compile.
  private readonly handlers: Record<VerificationJob, (job: Job) => Promise<unknown>> = {
    [VerificationJob.VerifyLogs]: (job) => this.verifyLogs((job.data as { full?: boolean } | undefined)?.full === true),
  };

  constructor(private readonly verifier: LogVerifier) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as VerificationJob];
    if (!handler) throw new Error(`No handler for job ${job.name} on queue ${QueueName.Verification}`);
    return handler(job);
  }

  /** A run in progress stops after its current batch (recording its progress) so that shutdown stays short. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  /** One log after the other: a full run uses a core of the database server, the API needs the other. */
  async verifyLogs(full: boolean) {
    const results = [];
    for (const log of LOGS) {
      const result = await this.verifier.run(log, { full, shouldStop: () => this.stopping });
      results.push(result ? { log, intact: result.intact, lastSeq: result.lastSeq } : { log, skipped: true });
    }
    return results;
  }
}
