import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { inLanes } from '../common/lanes';
import { AppConfig } from '../config/app-config';
import { NOTIFICATION_CATEGORY } from '../notifications/notification-kind';
import type { Category } from '../sharing/categories';
import { ProcessingLogService, TouchedSubject } from '../sharing/processing-log.service';
import { MailChannel } from './mail.channel';
import { composeMail } from './mail-content.builder';
import { ClaimedDelivery, DeliveryFacts, MailDeliveryRepository } from './mail-delivery.repository';
import { MailSkipReason, mailSkipReason } from './mail-recipient.policy';
import { retryDelayMs } from './mail-retry.policy';
import { MailTransport } from './mail-transport.service';
import { Purpose } from '../sharing/purposes';

export interface DispatchResult {
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
  /** Rows whose outcome could not be recorded (a database error, or the lease was lost): their lease runs out and they are claimed again. */
  unfinished: number;
}

type Outcome = keyof DispatchResult;

const SHUTDOWN_WAIT_MS = 5000;
const empty = (): DispatchResult => ({ sent: 0, retried: 0, failed: 0, skipped: 0, unfinished: 0 });

/**
 * How long a claim holds its rows: as long as its batch can take at most. A lane handles
 * ceil(batch / concurrency) rows one after the other, each at most a whole send plus its few statements.
 * Only a dispatcher that crashed or hung keeps a row that long; then another one takes it over.
 */
export function mailLeaseMs(c: AppConfig): number {
  const statement = c.DB_STATEMENT_TIMEOUT_MS || 10_000;
  const perRow = c.MAIL_SEND_TIMEOUT_MS + 3 * statement + c.DB_POOL_ACQUIRE_TIMEOUT_MS;
  return Math.ceil(c.MAIL_BATCH_SIZE / c.MAIL_CONCURRENCY) * perRow + 30_000;
}

/**
 * Sends the recorded e-mails (worker processes only): on the `dispatch-mail` schedule and at once when a
 * transaction of this process recorded some. Two batches at a time (see runUntilEmpty), each: claim the due
 * rows with a lease (one statement, committed before anything is sent, so no transaction is open during
 * SMTP), send them over MAIL_CONCURRENCY lanes, and record the outcomes under the claim's token.
 *
 * Exactly-once is impossible across SMTP: when a dispatcher dies after the server accepted a message and
 * before the row is marked sent, the row is sent again once its lease runs out. Every attempt carries the
 * same Message-ID (derived from the row's id), so the second copy is recognisably the same message.
 */
@Injectable()
export class MailDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private running?: Promise<DispatchResult>;
  private again = false;
  private stopped = false;
  private toldUnconfigured = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: MailDeliveryRepository,
    private readonly transport: MailTransport,
    private readonly channel: MailChannel,
    private readonly log: ProcessingLogService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.channel.onCommitted(() => this.kick());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const running = this.running?.catch(() => undefined);
    if (running) await Promise.race([running, new Promise((r) => setTimeout(r, SHUTDOWN_WAIT_MS).unref())]);
  }

  /** Runs batches until nothing is due. One run at a time per process: a call during a run makes it go round once more. */
  dispatchPending(): Promise<DispatchResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.runUntilEmpty().finally(() => (this.running = undefined));
    return this.running;
  }

  private kick(): void {
    if (this.stopped) return;
    this.dispatchPending().catch((e: unknown) => this.logger.warn({ event: 'mail_dispatch_error', cause: errorCode(e) }, 'e-mail dispatch failed; the schedule retries'));
  }

  /**
   * Two batches in flight: while one waits for its last sends and records its outcomes, the other's sends keep
   * the pooled connections busy (their messages wait in the pool for a free connection, within the send
   * timeout). With one, the connections idled between batches: about a quarter of the time in bench/fanout.ts.
   */
  private async runUntilEmpty(): Promise<DispatchResult> {
    const total = empty();
    const loop = async () => {
      for (;;) {
        if (this.stopped) return;
        const { claimed, result } = await this.dispatchBatch();
        for (const key of Object.keys(total) as Outcome[]) total[key] += result[key];
        if (claimed < this.config.MAIL_BATCH_SIZE) return;
      }
    };
    do {
      this.again = false;
      await Promise.all([loop(), loop()]);
    } while (this.again && !this.stopped);
    return total;
  }

  /** One claim and its sends. */
  async dispatchBatch(): Promise<{ claimed: number; result: DispatchResult }> {
    const result = empty();
    const now = this.clock.now();
    if (!this.transport.configured) {
      result.skipped = await this.repository.skipAllDue(now, this.config.MAIL_BATCH_SIZE, 'mail_not_configured');
      if (result.skipped && !this.toldUnconfigured) {
        this.toldUnconfigured = true;
        this.logger.warn({ event: 'mail_not_configured' }, 'SMTP_URL is not set: e-mail notifications are marked skipped instead of sent');
      }
      return { claimed: result.skipped, result };
    }
    const token = randomUUID();
    const claimed = await this.repository.claim(now, this.config.MAIL_BATCH_SIZE, token, new Date(now.getTime() + mailLeaseMs(this.config)));
    if (!claimed.length) return { claimed: 0, result };
    const facts = await this.repository.factsOf(claimed.map((r) => r.id));
    // One Amsterdam date per batch (the due-date countdown), not one calendar computation per e-mail.
    const today = this.clock.today();
    const skips: { id: string; reason: MailSkipReason }[] = [];
    const sent: { row: ClaimedDelivery; facts: DeliveryFacts; startedAt: Date }[] = [];
    const toSend: ClaimedDelivery[] = [];
    for (const row of claimed) {
      const f = facts.get(row.id);
      // Its notification is gone (a deleted user or case took it along): nothing left to send.
      if (!f) result.skipped += 1;
      else {
        const reason = mailSkipReason(f);
        if (reason) skips.push({ id: row.id, reason });
        else toSend.push(row);
      }
    }
    await inLanes(toSend, this.config.MAIL_CONCURRENCY, async (row) => {
      const f = facts.get(row.id)!;
      const startedAt = this.clock.now();
      const outcome = await this.send(row, token, f, today).catch((e: unknown) => {
        this.logger.warn({ event: 'mail_dispatch_error', deliveryId: row.id, cause: errorCode(e) }, 'an e-mail delivery could not be finished; retried after its lease');
        return 'unfinished' as const;
      });
      if (outcome === 'sent') sent.push({ row, facts: f, startedAt });
      else result[outcome] += 1;
    });
    const skipped = await this.repository.markSkippedMany(skips, token).catch(() => 0);
    result.skipped += skipped;
    result.unfinished += skips.length - skipped;
    const marked = await this.markSent(sent, token).catch((e: unknown) => {
      this.logger.warn({ event: 'mail_dispatch_error', cause: errorCode(e) }, 'sent e-mails could not be marked sent; their leases run out and they are sent again');
      return new Set<string>();
    });
    result.sent += marked.size;
    result.unfinished += sent.length - marked.size;
    return { claimed: claimed.length, result };
  }

  /** Sends one e-mail; a failure is recorded at once (retry or failed), a success by the batch's markSent. */
  private async send(row: ClaimedDelivery, token: string, facts: DeliveryFacts, today: string): Promise<Outcome> {
    const mail = composeMail(facts, today, this.config.PUBLIC_BASE_URL);
    const sent = await this.transport.send({ to: facts.email, subject: mail.subject, text: mail.text, messageId: row.messageId, date: this.clock.now() });
    if (sent.ok) return 'sent';

    const delay = sent.permanent ? null : retryDelayMs(row.attempts);
    if (delay === null) {
      const mine = await this.repository.markFailed(row.id, token, sent.code);
      this.logger.warn({ event: 'mail_delivery_failed', deliveryId: row.id, code: sent.code, attempts: row.attempts }, 'an e-mail could not be delivered and is given up');
      return mine ? 'failed' : 'unfinished';
    }
    const nextAttemptAt = new Date(this.clock.now().getTime() + delay);
    this.logger.log({ event: 'mail_delivery_retry', deliveryId: row.id, code: sent.code, attempts: row.attempts, nextAttemptAt }, 'an e-mail will be tried again');
    return (await this.repository.markRetry(row.id, token, nextAttemptAt, sent.code)) ? 'retried' : 'unfinished';
  }

  /**
   * The batch's sent e-mails marked sent, with the processing log's record of telling each recipient about a
   * case, in one transaction: one system operation per table and category, one entry per data subject.
   */
  private async markSent(sent: { row: ClaimedDelivery; facts: DeliveryFacts; startedAt: Date }[], token: string): Promise<Set<string>> {
    if (!sent.length) return new Set();
    return this.dataSource.transaction(async (m) => {
      const mine = await this.repository.markSentMany(m, sent.map((s) => s.row.id), token, this.clock.now());
      const groups = new Map<string, { tableId: string; category: Category; startedAt: Date; subjects: TouchedSubject[] }>();
      for (const { row, facts: f, startedAt } of sent) {
        if (!mine.has(row.id) || !f.tableId || !f.subjectId || !f.vNumber) continue;
        const category = NOTIFICATION_CATEGORY[f.kind] ?? 'deliberation';
        const key = `${f.tableId}|${category}`;
        const group = groups.get(key) ?? { tableId: f.tableId, category, startedAt, subjects: [] };
        if (startedAt < group.startedAt) group.startedAt = startedAt;
        group.subjects.push({ subjectId: f.subjectId, vNumber: f.vNumber });
        groups.set(key, group);
      }
      for (const g of groups.values()) {
        await this.log.recordBySystem(m, randomBytes(16).toString('hex'), g.tableId, {
          operation: 'mail.send',
          activityCategory: g.category,
          categories: [g.category],
          subjects: g.subjects,
          purpose: Purpose.Notification,
          startedAt: g.startedAt,
        });
      }
      return mine;
    });
  }
}

/** A code to log, never an error's message (it may quote data). */
function errorCode(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.name : 'unknown';
}
