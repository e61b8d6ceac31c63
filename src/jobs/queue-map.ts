import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Provider } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { QUEUES, QueueName } from './queues';

/** Every queue of the process by name: for the code that must treat all queues alike (error logging, schedulers). */
export type QueueMap = Readonly<Record<QueueName, Queue>>;

const QUEUE_MAP = Symbol('ketentafel:queue-map');

export const InjectQueueMap = () => Inject(QUEUE_MAP);

/** Built from QUEUES, so a queue added to QueueName is in the map without anyone listing it again. */
export const queueMapProvider: Provider = {
  provide: QUEUE_MAP,
  inject: QUEUES.map((name) => getQueueToken(name)),
  useFactory: (...queues: Queue[]): QueueMap => Object.fromEntries(QUEUES.map((name, i) => [name, queues[i]])) as Record<QueueName, Queue>,
};
