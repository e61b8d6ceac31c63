import { Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { inLanes } from '../common/lanes';
import { outgoingTraceparent } from '../common/logging';
import { AppConfig } from '../config/app-config';
import { NotificationKind } from '../notifications/notification-kind';
import { NotificationService } from '../notifications/notification.service';
import { ClaimedDelivery, Payload, WebhookPayloads } from './webhook-payload.service';
import { MAX_ATTEMPTS, nextAttemptAfter } from './webhook-retry';
import { WebhookSecrets } from './webhook-secrets';
import { postWebhook, SendOutcome } from './webhook-sender';
import { signatureHeaders } from './webhook-signature';
import { webhookOrigin, webhookUrlDefect } from './webhook-url';

/** A run stops claiming after this long (the next scheduled run goes on), so a job never holds its worker for long. */
const RUN_BUDGET_MS = 15_000;

/** Beyond the send timeout: a claim older than both belongs to a dispatcher that died, and comes free. */
const LEASE_MARGIN_MS = 60_000;

export interface DispatchResult {
  attempted: number;
  delivered: number;
  failed: number;
}

type Result = 'delivered' | 'retry' | 'failed' | 'lost';

/**
 * Sends the webhook deliveries that are due (worker processes; the `dispatch-webhooks` job every 2 s). A run
 * claims batches of WEBHOOK_BATCH_SIZE due deliveries (`FOR UPDATE SKIP LOCKED`, then a lease in the row),
 * builds their events under each receiving organisation's access now (one transaction per batch, committed
 * before anything leaves), signs them and POSTs them over WEBHOOK_CONCURRENCY lanes, outside any
 * transaction, and records the outcomes only where its lease still holds (the delivered ones in one
 * statement). So any number of dispatchers, in one process or many, send each attempt once; a dispatcher
 * that dies mid-send leaves leases that run out, and the attempts are made again (at least once: receivers
 * drop duplicates by `webhook-id`). See webhook-retry.ts for when a failed attempt is made again.
 */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly secrets: WebhookSecrets,
    private readonly payloads: WebhookPayloads,
    private readonly notifications: NotificationService,
  ) {}

  async dispatch(): Promise<DispatchResult> {
    const started = performance.now();
    const result: DispatchResult = { attempted: 0, delivered: 0, failed: 0 };
    while (performance.now() - started < RUN_BUDGET_MS) {
      const claimed = await this.claim();
      const outcomes = await this.attempt(claimed);
      for (const outcome of outcomes) {
        if (outcome === 'lost') continue;
        result.attempted++;
        if (outcome === 'delivered') result.delivered++;
        if (outcome === 'failed') result.failed++;
      }
      if (claimed.length < this.config.WEBHOOK_BATCH_SIZE) break;
    }
    return result;
  }

  /**
   * The earliest due deliveries of active subscriptions that no other dispatcher holds, leased to this one for
   * as long as the batch can take: its lanes' sends one after the other, each at most WEBHOOK_TIMEOUT_MS.
   */
  private async claim(): Promise<ClaimedDelivery[]> {
    const now = this.clock.now();
    const rounds = Math.ceil(this.config.WEBHOOK_BATCH_SIZE / this.config.WEBHOOK_CONCURRENCY);
    const leaseUntil = new Date(now.getTime() + rounds * this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS);
    const [rows]: [ClaimedDelivery[], number] = await this.dataSource.query(
      `WITH due AS (
         SELECT d.id FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $1) AND s.active
          ORDER BY d.next_attempt_at, d.id
          LIMIT $4
          FOR UPDATE OF d SKIP LOCKED)
       UPDATE webhook_delivery d SET lease_until = $2, lease_token = $3
         FROM due, webhook_subscription s
        WHERE d.id = due.id AND s.id = d.subscription_id
       RETURNING d.id, d.subscription_id, s.organisation_id, s.url, s.secret_ciphertext, s.previous_secret_ciphertext,
                 s.previous_secret_expires_at, d.kind, d.table_id, d.case_id, d.case_reference, d.resource_type,
                 d.resource_id, d.link, d.attempts, d.resends, d.lease_token, d.created_at`,
      [now, leaseUntil, randomUUID(), this.config.WEBHOOK_BATCH_SIZE],
    );
    return rows;
  }

  /** One attempt of each claimed delivery; an outcome each, in their order. */
  private async attempt(batch: ClaimedDelivery[]): Promise<Result[]> {
    if (!batch.length) return [];
    const traceId = randomBytes(16).toString('hex');
    let payloads: Map<string, Payload>;
    try {
      // Built and logged in a transaction of its own, committed before anything leaves.
      const startedAt = this.clock.now();
      payloads = await this.dataSource.transaction((m) => this.payloads.buildMany(m, batch, traceId, startedAt));
    } catch (e) {
      // The database failed: the leases run out and a later run makes the attempts again.
      this.logger.error({ event: 'webhook_attempt_error', deliveries: batch.length, reason: (e as Error).name }, 'webhook attempts could not be prepared');
      return batch.map(() => 'lost');
    }
    const outcomes = new Map<string, SendOutcome>();
    await inLanes(batch, this.config.WEBHOOK_CONCURRENCY, async (d) => {
      outcomes.set(d.id, await this.send(d, payloads.get(d.id)!, traceId));
    });
    const delivered = batch.filter((d) => outcomes.get(d.id)!.ok);
    const results = new Map<string, Result>();
    try {
      const recorded = await this.recordDelivered(delivered.map((d) => ({ d, status: outcomes.get(d.id)!.status ?? 200 })));
      for (const d of delivered) results.set(d.id, recorded.has(d.id) ? 'delivered' : 'lost');
    } catch (e) {
      this.logger.error({ event: 'webhook_attempt_error', deliveries: delivered.length, reason: (e as Error).name }, 'delivered webhooks could not be recorded');
      for (const d of delivered) results.set(d.id, 'lost');
    }
    for (const d of batch) {
      if (results.has(d.id)) continue;
      results.set(
        d.id,
        await this.record(d, outcomes.get(d.id)!).catch((e: unknown) => {
          this.logger.error({ event: 'webhook_attempt_error', deliveryId: d.id, reason: (e as Error).name }, 'a webhook attempt could not be recorded');
          return 'lost' as const;
        }),
      );
    }
    return batch.map((d) => results.get(d.id)!);
  }

  /** Signs and POSTs one event; never throws. */
  private async send(d: ClaimedDelivery, payload: Payload, traceId: string): Promise<SendOutcome> {
    const secrets = this.signingSecrets(d);
    if (!secrets) return { ok: false, status: null, error: 'secret_unreadable' };
    if (webhookUrlDefect(d.url, this.config.isProduction)) return { ok: false, status: null, error: 'url_not_allowed' };
    // The signing time is a credential the receiver checks against its own clock: the real time.
    const headers = signatureHeaders(d.id, payload.body, secrets, new Date());
    const traceparent = outgoingTraceparent(traceId);
    return postWebhook(
      d.url,
      payload.body,
      { 'content-type': payload.contentType, ...headers, ...(traceparent ? { traceparent } : {}) },
      this.config.WEBHOOK_TIMEOUT_MS,
    );
  }

  /** The delivered ones whose lease this dispatcher still holds, recorded in one statement; returns those. */
  private async recordDelivered(answered: { d: ClaimedDelivery; status: number }[]): Promise<Set<string>> {
    const delivered = answered.map((a) => a.d);
    if (!delivered.length) return new Set();
    const now = this.clock.now();
    const [rows]: [{ id: string }[], number] = await this.dataSource.query(
      `UPDATE webhook_delivery d
          SET status = 'delivered', attempts = d.attempts + 1, next_attempt_at = NULL, last_attempt_at = $3, last_status_code = x.status,
              last_error = NULL, delivered_at = $3, failed_at = NULL, lease_until = NULL, lease_token = NULL
         FROM unnest($1::uuid[], $2::uuid[], $4::int[]) AS x(id, token, status)
        WHERE d.id = x.id AND d.lease_token = x.token
       RETURNING d.id`,
      [delivered.map((d) => d.id), delivered.map((d) => d.lease_token), now, answered.map((a) => a.status)],
    );
    const mine = new Set(rows.map((r) => r.id));
    for (const d of delivered) {
      if (!mine.has(d.id)) this.logger.warn({ event: 'webhook_lease_lost', deliveryId: d.id }, 'a webhook attempt finished after its lease ran out; another dispatcher owns it');
    }
    return mine;
  }

  /**
   * The current secret and, until the overlap of a rotation ends, the previous one; undefined when the
   * current one no longer decrypts (WEBHOOK_SECRET_KEY changed): that fails the attempt like any other, so
   * the owner is told in the end and rotates the secret.
   */
  private signingSecrets(d: ClaimedDelivery): string[] | undefined {
    const open = (stored: string) => {
      try {
        return this.secrets.decrypt(stored, d.subscription_id);
      } catch {
        return undefined;
      }
    };
    const current = open(d.secret_ciphertext);
    if (!current) return undefined;
    const overlap = d.previous_secret_ciphertext && d.previous_secret_expires_at && d.previous_secret_expires_at > this.clock.now();
    const previous = overlap ? open(d.previous_secret_ciphertext!) : undefined;
    return previous ? [current, previous] : [current];
  }

  /** Records the attempt, if this dispatcher's lease still holds (else another one owns the delivery now). */
  private async record(d: ClaimedDelivery, outcome: SendOutcome): Promise<Result> {
    return this.dataSource.transaction(async (m) => {
      const now = this.clock.now();
      const attempts = d.attempts + 1;
      const next = outcome.ok ? null : nextAttemptAfter(attempts, now);
      const result: Result = outcome.ok ? 'delivered' : next ? 'retry' : 'failed';
      const [, updated]: [unknown, number] = await m.query(
        `UPDATE webhook_delivery
            SET status = $3::text, attempts = $4, next_attempt_at = $5, last_attempt_at = $6::timestamptz, last_status_code = $7, last_error = $8,
                delivered_at = CASE WHEN $3::text = 'delivered' THEN $6::timestamptz END,
                failed_at = CASE WHEN $3::text = 'failed' THEN $6::timestamptz END,
                lease_until = NULL, lease_token = NULL
          WHERE id = $1 AND lease_token = $2`,
        [d.id, d.lease_token, result === 'retry' ? 'pending' : result, attempts, next, now, outcome.status, outcome.error],
      );
      if (!updated) {
        this.logger.warn({ event: 'webhook_lease_lost', deliveryId: d.id }, 'a webhook attempt finished after its lease ran out; another dispatcher owns it');
        return 'lost';
      }
      if (result === 'failed') await this.alert(m, d, attempts, outcome);
      return result;
    });
  }

  /** The last attempt failed: the people of the subscription's organisation are told (inbox), and the log says so. */
  private async alert(m: EntityManager, d: ClaimedDelivery, attempts: number, outcome: SendOutcome): Promise<void> {
    const users: { id: string }[] = await m.query(`SELECT id FROM app_user WHERE organisation_id = $1 AND disabled_at IS NULL ORDER BY id`, [d.organisation_id]);
    await this.notifications.notify(m, {
      recipients: users.map((u) => u.id),
      organisations: [],
      // Once per delivery and round: a re-sent delivery that fails again is told again.
      cause: `webhook-failed:${d.id}:${d.resends}`,
      kind: NotificationKind.WebhookDeliveryFailed,
      tableId: null,
      resource: { type: 'webhook_delivery', id: d.id },
      link: `/api/v1/webhook-subscriptions/${d.subscription_id}/deliveries?status=failed`,
    });
    this.logger.warn(
      {
        event: 'webhook_delivery_failed',
        deliveryId: d.id,
        subscriptionId: d.subscription_id,
        organisationId: d.organisation_id,
        kind: d.kind,
        attempts,
        maxAttempts: MAX_ATTEMPTS,
        lastStatusCode: outcome.status,
        lastError: outcome.error,
        target: webhookOrigin(d.url),
      },
      'a webhook delivery failed after its last attempt',
    );
  }
}

