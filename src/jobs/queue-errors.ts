import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';
import { QUEUES } from './queues';

const QUIET_MS = 30_000;

/**
 * Queues report connection errors as events; without a listener BullMQ prints raw stack traces on every
 * reconnect attempt while Redis is down. One structured warning per queue every 30 s instead
 * (/health/ready reports the outage itself).
 */
@Injectable()
export class QueueErrorLogger implements OnModuleInit {
  private readonly logger = new Logger('Queues');
  private readonly lastWarned = new Map<string, number>();

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    for (const name of QUEUES) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      queue.on('error', (err: Error & { code?: string }) => {
        const now = Date.now();
        if (now - (this.lastWarned.get(name) ?? 0) < QUIET_MS) return;
        this.lastWarned.set(name, now);
        this.logger.warn({ queue: name, code: err.code ?? err.name }, 'queue cannot reach Redis');
      });
    }
  }
}
