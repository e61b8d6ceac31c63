import { InjectQueue } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';
import { QueueName } from '../jobs/queues';
import { OutboxRelay } from './outbox-relay.service';

/** The channel the outbox's trigger NOTIFYs on commit (migration 1764000500000). */
export const OUTBOX_CHANNEL = 'kt_domain_event';
const RECONNECT_MS = 1000;

/**
 * Relays as soon as events are committed, in worker processes: the outbox's trigger NOTIFYs on commit,
 * from whichever process wrote them, and this LISTENs. Also when the notifications queue reconnects to
 * Redis (what piled up meanwhile goes at once) and after its own (re)connect. The schedule
 * (OUTBOX_RELAY_INTERVAL_MS) relays everything without it, so a lost connection only costs latency.
 */
@Injectable()
export class OutboxListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxListener');
  private client?: Client;
  private reconnectTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly relay: OutboxRelay,
    @InjectQueue(QueueName.Notifications) private readonly queue: Queue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.queue.getBackend().on('ready', () => this.nudge('redis_ready'));
    if (!this.config.OUTBOX_LISTEN) return;
    await this.connect().catch(() => this.scheduleReconnect());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'ketentafel-outbox-listener' });
    client.on('notification', () => this.nudge('notify'));
    client.on('error', (err) => {
      this.logger.warn({ err: { message: err.message } }, 'outbox listener lost its connection; reconnecting');
      this.scheduleReconnect();
    });
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    if (this.stopped) return void (await client.end().catch(() => undefined));
    // What was committed while nobody listened.
    this.nudge('listening');
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    void this.client?.end().catch(() => undefined);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch(() => this.scheduleReconnect());
    }, RECONNECT_MS);
    this.reconnectTimer.unref();
  }

  private nudge(trigger: string): void {
    if (this.stopped) return;
    this.relay.relayPending().catch((e: Error) => this.logger.warn({ trigger, reason: e.message }, 'outbox relay failed; the schedule retries'));
  }
}
