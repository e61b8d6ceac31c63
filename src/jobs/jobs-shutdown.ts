import { getQueueToken } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, ModuleRef } from '@nestjs/core';
import { Queue, Worker } from 'bullmq';
import { QUEUES } from './queues';
import { workersOf } from './queue-errors';

/** Running jobs may finish within this; longer ones are left to BullMQ's stalled-job recovery (handlers are safe to rerun). */
export const WORKER_CLOSE_MS = 5000;
const QUEUE_CLOSE_MS = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Closes workers and queues before @nestjs/bullmq does (onApplicationShutdown), within a bound. BullMQ's
 * close waits for running jobs and then QUITs its connections, and with Redis down that QUIT waits for a
 * reconnect that may never come: such connections are dropped instead. What still does not close in time
 * is left to the process's shutdown deadline (exitOnSignals).
 */
@Injectable()
export class JobsShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly discovery: DiscoveryService,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const workers = workersOf(this.discovery);
    await Promise.all(workers.map((w) => this.closeWithin(`worker ${w.name}`, w, WORKER_CLOSE_MS)));
    const queues = QUEUES.map((name) => this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    await Promise.all(queues.map((q) => this.closeWithin(`queue ${q.name}`, q, QUEUE_CLOSE_MS)));
  }

  private async closeWithin(what: string, source: Queue | Worker, ms: number): Promise<void> {
    if (!(await connected(source))) {
      // Without a connection a QUIT only waits (for a reconnect that may never come), and a running job
      // could not report its result anyway: close by dropping the connections. A later close() returns at once.
      const forced = source instanceof Worker ? source.close(true) : source.getBackend().close(true).then(() => source.close());
      await Promise.race([forced.catch(() => undefined), sleep(QUEUE_CLOSE_MS)]);
      return;
    }
    const closing = source.close().catch(() => undefined);
    const closed = await Promise.race([closing.then(() => true), sleep(ms).then(() => false)]);
    if (!closed) this.logger.warn({ event: 'close_timeout', what, afterMs: ms }, 'did not close in time; the process exits without waiting for it');
  }
}

async function connected(source: Queue | Worker): Promise<boolean> {
  const status = source
    .getBackend()
    .client.then((client) => client.status === 'ready')
    .catch(() => false);
  return Promise.race([status, sleep(100).then(() => false)]);
}
