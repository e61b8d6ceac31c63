import { InjectQueue } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { JobsOptions, JobState, Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { NotificationJob, QueueName } from '../jobs/queues';

/** Longest one publish to Redis may take inside the relay's transaction (well below the idle-in-transaction timeout). */
const PUBLISH_TIMEOUT_MS = 3000;
/** How long a connection check waits for Redis's client. */
const CONNECTED_CHECK_MS = 200;
const SHUTDOWN_WAIT_MS = 3000;

/**
 * The id of an event's delivery job. It only spares Redis a duplicate job while one is still there:
 * exactly-once effects come from the notification table's unique key, not from this id.
 */
export const deliveryJobId = (eventId: string) => `event-${eventId}`;

/** A delivery is retried with backoff (e.g. while an earlier event of its aggregate is not delivered); the sweep takes over after that. */
export const DELIVERY_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
};

/** Job states in which the job will still run by itself. */
const IN_FLIGHT: ReadonlySet<JobState | 'unknown'> = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export interface ClaimedEvent {
  id: string;
  /** Its earlier events are relayed (or in this claim), so it may go now. */
  ready: boolean;
  /** Already delivered (a relay that published but never marked): marked relayed without publishing again. */
  delivered: boolean;
}

export interface RelayResult {
  relayed: number;
  /** Held back because an earlier event of the same aggregate is claimed by another relay. */
  deferred: number;
  /** Set when nothing was tried because the queue is not connected to Redis. */
  skipped?: 'redis_unavailable';
}

export interface SweepResult {
  /** Relayed again: their job was missing from Redis, failed for good, or gone without the delivery. */
  requeued: string[];
  /** Still queued or running in Redis: left alone. */
  pending: number;
  skipped?: 'redis_unavailable';
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The outbox relay (DOMAIN.md section 8: "written in the same database transaction as the change that
 * caused it, then relayed to the queue"). Runs in worker processes only; requests never touch Redis.
 *
 * A batch is one transaction: claim the oldest unrelayed events (`FOR UPDATE SKIP LOCKED`, so two relays
 * never claim the same event), publish one delivery job per event, mark them relayed, commit. A crash
 * between publishing and marking leaves the events unrelayed: they are published again, and their
 * deliveries find them delivered (or the unique keys of their notifications refuse a second one).
 *
 * Order per aggregate: an event is held back while an earlier event of its aggregate is unrelayed and not
 * in the same claim (another relay holds it), and the consumer also delivers an aggregate's events in id
 * order. Writers of one aggregate hold its row lock while they raise, so ids follow the order of changes.
 */
@Injectable()
export class OutboxRelay implements BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private running?: Promise<RelayResult>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Notifications) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const running = this.running?.catch(() => undefined);
    if (running) await Promise.race([running, new Promise((r) => setTimeout(r, SHUTDOWN_WAIT_MS).unref())]);
  }

  /**
   * Relays batch by batch until nothing is left. One run at a time in this process: a call during a run
   * (a NOTIFY, the schedule) makes the run go round once more instead of starting a second.
   */
  relayPending(): Promise<RelayResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.runUntilEmpty().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runUntilEmpty(): Promise<RelayResult> {
    const total: RelayResult = { relayed: 0, deferred: 0 };
    do {
      this.again = false;
      for (;;) {
        if (this.stopped) return total;
        const batch = await this.relayBatch();
        if (batch.skipped) return { ...total, skipped: batch.skipped };
        total.relayed += batch.relayed;
        total.deferred += batch.deferred;
        // A batch of only held-back events would be claimed again at once: their turn comes with the next run.
        if (batch.relayed === 0 || batch.relayed + batch.deferred < this.config.OUTBOX_RELAY_BATCH_SIZE) break;
      }
    } while (this.again);
    return total;
  }

  /** One transaction: claim, publish, mark. Nothing is claimed while the queue cannot reach Redis. */
  async relayBatch(): Promise<RelayResult> {
    if (!(await this.connected())) return { relayed: 0, deferred: 0, skipped: 'redis_unavailable' };
    return this.dataSource.transaction(async (m) => {
      const claimed = await this.claim(m, this.config.OUTBOX_RELAY_BATCH_SIZE);
      const ready = claimed.filter((e) => e.ready);
      await this.publish(ready.filter((e) => !e.delivered).map((e) => e.id));
      await this.markRelayed(m, ready);
      return { relayed: ready.length, deferred: claimed.length - ready.length };
    });
  }

  /**
   * Locks the oldest unrelayed events that no other relay holds, and says of each whether it may go now.
   * The other relay's claims are still unrelayed to this statement, so an event behind one of them waits.
   */
  async claim(m: EntityManager, limit: number): Promise<ClaimedEvent[]> {
    return m.query(
      `WITH claimed AS MATERIALIZED (
         SELECT id, aggregate_type, aggregate_id, delivered_at FROM domain_event
          WHERE relayed_at IS NULL
          ORDER BY id
          LIMIT $1
            FOR UPDATE SKIP LOCKED)
       SELECT c.id::text AS id, c.delivered_at IS NOT NULL AS delivered,
              NOT EXISTS (SELECT 1 FROM domain_event p
                           WHERE p.aggregate_type = c.aggregate_type AND p.aggregate_id = c.aggregate_id
                             AND p.id < c.id AND p.relayed_at IS NULL
                             AND p.id NOT IN (SELECT id FROM claimed)) AS ready
         FROM claimed c
        ORDER BY c.id`,
      [limit],
    );
  }

  /** One delivery job per event, in id order, in one round trip; bounded, so the claim's transaction stays short. */
  async publish(eventIds: string[]): Promise<void> {
    if (!eventIds.length) return;
    await withTimeout(
      this.queue.addBulk(eventIds.map((id) => ({ name: NotificationJob.DeliverEvent, data: { eventId: id }, opts: { ...DELIVERY_JOB_OPTIONS, jobId: deliveryJobId(id) } }))),
      PUBLISH_TIMEOUT_MS,
      'publishing to the notifications queue',
    );
  }

  async markRelayed(m: EntityManager, events: ClaimedEvent[]): Promise<void> {
    if (!events.length) return;
    await m.query(
      `UPDATE domain_event SET relayed_at = $2, relay_count = relay_count + CASE WHEN id = ANY($3::bigint[]) THEN 1 ELSE 0 END
        WHERE id = ANY($1::bigint[])`,
      [events.map((e) => e.id), this.clock.now(), events.filter((e) => !e.delivered).map((e) => e.id)],
    );
  }

  /**
   * Relays again what was relayed more than OUTBOX_REDELIVER_AFTER_SECONDS ago and is still not delivered,
   * unless its job is still queued or running: the Redis that held it lost its data, or it failed for good.
   * Its relay time is renewed either way, so each such event is looked at once per grace period.
   */
  async sweep(): Promise<SweepResult> {
    if (!(await this.connected())) return { requeued: [], pending: 0, skipped: 'redis_unavailable' };
    return this.dataSource.transaction(async (m) => {
      const cutoff = new Date(this.clock.now().getTime() - this.config.OUTBOX_REDELIVER_AFTER_SECONDS * 1000);
      const due: { id: string }[] = await m.query(
        `SELECT id::text AS id FROM domain_event
          WHERE delivered_at IS NULL AND relayed_at < $1
          ORDER BY id
          LIMIT $2
            FOR UPDATE SKIP LOCKED`,
        [cutoff, this.config.OUTBOX_RELAY_BATCH_SIZE],
      );
      if (!due.length) return { requeued: [], pending: 0 };
      const states = await withTimeout(
        Promise.all(due.map((e) => this.queue.getJobState(deliveryJobId(e.id)))),
        PUBLISH_TIMEOUT_MS,
        'reading job states',
      );
      const requeued = due.filter((_, i) => !IN_FLIGHT.has(states[i])).map((e) => e.id);
      // A failed (or, oddly, completed) job of the same id would make the new one a no-op.
      await withTimeout(Promise.all(requeued.map((id) => this.queue.remove(deliveryJobId(id)))), PUBLISH_TIMEOUT_MS, 'removing finished jobs');
      await this.publish(requeued);
      await m.query(
        `UPDATE domain_event SET relayed_at = $2, relay_count = relay_count + CASE WHEN id = ANY($3::bigint[]) THEN 1 ELSE 0 END
          WHERE id = ANY($1::bigint[])`,
        [due.map((e) => e.id), this.clock.now(), requeued],
      );
      if (requeued.length) {
        this.logger.warn({ event: 'outbox_events_requeued', count: requeued.length, first: requeued[0] }, 'relayed domain events again that were never delivered');
      }
      return { requeued, pending: due.length - requeued.length };
    });
  }

  private async connected(): Promise<boolean> {
    const status = this.queue
      .getBackend()
      .client.then((client) => client.status === 'ready')
      .catch(() => false);
    return Promise.race([status, new Promise<boolean>((r) => setTimeout(() => r(false), CONNECTED_CHECK_MS).unref())]);
  }
}
