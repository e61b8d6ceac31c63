import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Queue, Worker } from 'bullmq';
import { ConnectionErrorLog } from '../common/redis';
import { InjectQueueMap, QueueMap } from './queue-map';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);
const isConnectionError = (err: Error & { code?: string }) =>
  CONNECTION_CODES.has(err.code ?? '') || /Connection is closed|Stream isn't writeable|connect ETIMEDOUT/.test(err.message);

// One for every queue and worker of the process, so that each source is rate-limited on its own.
const log = new ConnectionErrorLog(new Logger('Queues'));

/** Routes a queue's or worker's error and reconnect events to the structured log, rate-limited. */
function watch(source: Queue | Worker, fields: { queue: string } | { worker: string }): void {
  const kind = 'queue' in fields ? 'queue' : 'worker';
  (source as { on(event: 'error', listener: (err: Error & { code?: string }) => void): unknown }).on('error', (err) =>
    isConnectionError(err) ? log.error(fields, err, `${kind} cannot reach Redis`) : log.error({ ...fields, kind: 'other' }, err, `${kind} error`),
  );
  source.getBackend().on('ready', () => log.ready(fields, `${kind} connected to Redis again`));
}

/** The BullMQ workers of this process (none in an `api` process). */
export function workersOf(discovery: DiscoveryService): Worker[] {
  return discovery
    .getProviders()
    .map((wrapper) => wrapper.instance as unknown)
    .filter((instance): instance is WorkerHost => instance instanceof WorkerHost)
    .map((host) => host.worker);
}

/**
 * BullMQ's Worker, listening to its own errors from construction on (JobsModule makes @nestjs/bullmq use
 * it): an error emitted before anyone listens is printed as a raw multi-line stack outside the JSON log.
 */
export class LoggedWorker extends Worker {
  constructor(...args: ConstructorParameters<typeof Worker>) {
    super(...args);
    watch(this, { worker: this.name });
  }
}

/**
 * Queues report connection errors as events; without a listener BullMQ prints raw stack traces on every
 * reconnect attempt while Redis is down. They go through the structured logger instead: one warning per
 * queue (and worker, see LoggedWorker) every 30 s, and one line when connected again (/health/ready
 * reports the outage itself).
 */
@Injectable()
export class QueueErrorLogger {
  // Listening from the constructor on: a queue starts connecting as soon as it exists.
  constructor(@InjectQueueMap() queues: QueueMap) {
    for (const queue of Object.values(queues)) watch(queue, { queue: queue.name });
  }
}
