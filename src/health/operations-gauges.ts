import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { Gauge, Registry } from 'prom-client';
import { InjectQueueMap, QueueMap, queuesConnected } from '../jobs/queue-map';
import { OutboxLagProbe } from './outbox-lag';

/** Longest a scrape waits for one queue's answer from Redis (queues are read side by side). */
export const QUEUE_READ_TIMEOUT_MS = 1000;

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

class Timeout extends Error {}

function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Since when a job has waited: added (plus its delay), or back in the wait list after its last attempt. */
const waitingSince = (job: Job) => Math.max(job.timestamp + (job.delay ?? 0), job.processedOn ?? 0);

/**
 * The queue and outbox gauges, read afresh on every scrape: per queue the jobs by state and the age of the
 * oldest waiting job; the outbox lag; and, per source, whether it could be read and how long that took.
 * Every read is bounded (Redis calls by a timeout, and not tried at all while the queue is disconnected; the
 * outbox query by its statement timeout), so a scrape never hangs on a dependency that is down: the series of
 * that source are left out and `metrics_collection_up{source}` says 0. Queues come from QUEUES, so a new queue
 * is measured without being listed here.
 *
 * Every API process reports the same queue and outbox values (they are global): aggregate with max(), not sum().
 */
@Injectable()
export class OperationsGauges {
  private readonly jobs = new Gauge({ name: 'queue_jobs', help: 'Jobs per queue and state (waiting, active, delayed, failed)', labelNames: ['queue', 'state'] as const, registers: [] });
  private readonly oldestWaiting = new Gauge({
    name: 'queue_oldest_waiting_job_age_seconds',
    help: 'Seconds the oldest waiting job of the queue has waited (0 when none waits)',
    labelNames: ['queue'] as const,
    registers: [],
  });
  private readonly outboxAge = new Gauge({
    name: 'outbox_oldest_event_age_seconds',
    help: 'Age of the oldest domain event not yet relayed to the notifications queue (state="unrelayed"), or relayed but not yet delivered (state="undelivered"); 0 when none',
    labelNames: ['state'] as const,
    registers: [],
  });
  private readonly up = new Gauge({
    name: 'metrics_collection_up',
    help: 'Whether the last scrape could read the source (1) or not in time (0): queue:<name> (Redis) or outbox (PostgreSQL)',
    labelNames: ['source'] as const,
    registers: [],
  });
  private readonly duration = new Gauge({
    name: 'metrics_collection_duration_seconds',
    help: 'How long the last scrape took to read the source',
    labelNames: ['source'] as const,
    registers: [],
  });

  constructor(
    @InjectQueueMap() private readonly queues: QueueMap,
    private readonly outbox: OutboxLagProbe,
  ) {}

  register(registry: Registry): void {
    for (const gauge of [this.jobs, this.oldestWaiting, this.outboxAge, this.up, this.duration]) registry.registerMetric(gauge);
  }

  async refresh(): Promise<void> {
    await Promise.all([...Object.values(this.queues).map((queue) => this.readQueue(queue)), this.readOutbox()]);
  }

  private async readQueue(queue: Queue): Promise<void> {
    const source = `queue:${queue.name}`;
    await this.measure(
      source,
      async () => {
        if (!(await queuesConnected([queue]))) throw new Error('not connected');
        const [counts, oldest] = await bounded(Promise.all([queue.getJobCounts(...STATES), queue.getJobs(['waiting'], 0, 0, true)]), QUEUE_READ_TIMEOUT_MS);
        for (const state of STATES) this.jobs.set({ queue: queue.name, state }, counts[state] ?? 0);
        // Elapsed time against BullMQ's own timestamps, which are the real time (not the application's Clock).
        this.oldestWaiting.set({ queue: queue.name }, oldest[0] ? Math.max(0, (Date.now() - waitingSince(oldest[0])) / 1000) : 0);
      },
      () => {
        // Left out rather than kept: a stale count looks like a healthy queue.
        for (const state of STATES) this.jobs.remove({ queue: queue.name, state });
        this.oldestWaiting.remove({ queue: queue.name });
      },
    );
  }

  private async readOutbox(): Promise<void> {
    await this.measure(
      'outbox',
      async () => {
        const lag = await this.outbox.read();
        this.outboxAge.set({ state: 'unrelayed' }, lag.oldestUnrelayedAgeSeconds);
        this.outboxAge.set({ state: 'undelivered' }, lag.oldestUndeliveredAgeSeconds);
      },
      () => this.outboxAge.reset(),
    );
  }

  private async measure(source: string, read: () => Promise<void>, forget: () => void): Promise<void> {
    const started = performance.now();
    try {
      await read();
      this.up.set({ source }, 1);
    } catch {
      forget();
      this.up.set({ source }, 0);
    }
    this.duration.set({ source }, (performance.now() - started) / 1000);
  }
}
