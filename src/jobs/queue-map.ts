import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Provider } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { QUEUES, QueueName } from './queues';

/** Every queue of the process by name: for the code that must treat all queues alike (error logging, schedulers). */
export type QueueMap = Readonly<Record<QueueName, Queue>>;

/** The token, for code outside dependency injection (the queue dashboard's Fastify plugin). */
export const QUEUE_MAP = Symbol('ketentafel:queue-map');

export const InjectQueueMap = () => Inject(QUEUE_MAP);

/** Built from QUEUES, so a queue added to QueueName is in the map without anyone listing it again. */
export const queueMapProvider: Provider = {
  provide: QUEUE_MAP,
  inject: QUEUES.map((name) => getQueueToken(name)),
  useFactory: (...queues: Queue[]): QueueMap => Object.fromEntries(QUEUES.map((name, i) => [name, queues[i]])) as Record<QueueName, Queue>,
};

/**
 * Whether every one of the queues' Redis clients is connected, answered within `ms`: code that must not wait
 * for Redis (a scrape, a dashboard request) asks first instead of queueing commands until Redis is back.
 */
export function queuesConnected(queues: Queue[], ms = 200): Promise<boolean> {
  const status = Promise.all(queues.map((queue) => queue.getBackend().client.then((client) => client.status === 'ready')))
    .then((all) => all.every(Boolean))
    .catch(() => false);
  return Promise.race([status, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
}
