import { Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { outgoingTraceparent } from '../common/logging';
import { AppConfig } from '../config/app-config';
import { NotificationKind } from '../notifications/notification-kind';
import { NotificationService } from '../notifications/notification.service';
import { ClaimedDelivery, WebhookPayloads } from './webhook-payload.service';
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
 * Sends the webhook deliveries that are due (worker processes; the `dispatch-webhooks` job every 2 s).
 * WEBHOOK_CONCURRENCY lanes each claim one due delivery at a time (`FOR UPDATE SKIP LOCKED`, then a lease
 * in the row), build its event under the receiving organisation's access now, sign it and POST it,
 * outside any transaction, and record the outcome only if their lease still holds. So any number of
 * dispatchers, in one process or many, send each attempt once; a dispatcher that dies mid-send leaves a
 * lease that runs out, and the attempt is made again (at least once: receivers drop duplicates by
 * `webhook-id`). See webhook-retry.ts for when a failed attempt is made again.
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
    const lane = async () => {
      while (performance.now() - started < RUN_BUDGET_MS) {
        const claimed = await this.claim();
        if (!claimed) return;
        const outcome = await this.attempt(claimed);
        if (outcome === 'lost') continue;
        result.attempted++;
        if (outcome === 'delivered') result.delivered++;
        if (outcome === 'failed') result.failed++;
      }
    };
    // Every lane ends before the run does; a lane that failed (the database) fails the job once they all have.
    const lanes = await Promise.allSettled(Array.from({ length: this.config.WEBHOOK_CONCURRENCY }, lane));
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    return result;
  }

  /** The earliest due delivery of an active subscription that no other dispatcher holds, leased to this one. */
  private async claim(): Promise<ClaimedDelivery | undefined> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS);
    const [rows]: [ClaimedDelivery[], number] = await this.dataSource.query(
      `WITH due AS (
         SELECT d.id FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $1) AND s.active
          ORDER BY d.next_attempt_at, d.id
          LIMIT 1
          FOR UPDATE OF d SKIP LOCKED)
       UPDATE webhook_delivery d SET lease_until = $2, lease_token = $3
         FROM due, webhook_subscription s
        WHERE d.id = due.id AND s.id = d.subscription_id
       RETURNING d.id, d.subscription_id, s.organisation_id, s.url, s.secret_ciphertext, s.previous_secret_ciphertext,
                 s.previous_secret_expires_at, d.kind, d.table_id, d.case_id, d.case_reference, d.resource_type,
                 d.resource_id, d.link, d.attempts, d.resends, d.lease_token, d.created_at`,
      [now, leaseUntil, randomUUID()],
    );
    return rows[0];
  }

  private async attempt(d: ClaimedDelivery): Promise<Result> {
    const traceId = randomBytes(16).toString('hex');
    try {
      // Built and logged in a transaction of its own, committed before anything leaves.
      const startedAt = this.clock.now();
      const payload = await this.dataSource.transaction((m) => this.payloads.build(m, d, traceId, startedAt));
      const secrets = this.signingSecrets(d);
      let outcome: SendOutcome;
      if (!secrets) {
        outcome = { ok: false, status: null, error: 'secret_unreadable' };
      } else if (webhookUrlDefect(d.url, this.config.isProduction)) {
        outcome = { ok: false, status: null, error: 'url_not_allowed' };
      } else {
        // The signing time is a credential the receiver checks against its own clock: the real time.
        const headers = signatureHeaders(d.id, payload.body, secrets, new Date());
        const traceparent = outgoingTraceparent(traceId);
        outcome = await postWebhook(
          d.url,
          payload.body,
          { 'content-type': payload.contentType, ...headers, ...(traceparent ? { traceparent } : {}) },
          this.config.WEBHOOK_TIMEOUT_MS,
        );
      }
      return await this.record(d, outcome);
    } catch (e) {
      // The database failed while building or recording: the lease runs out and a later run makes the attempt
      // again (if it was sent, the receiver drops the repeat by its id).
      this.logger.error({ event: 'webhook_attempt_error', deliveryId: d.id, reason: (e as Error).name }, 'a webhook attempt could not be completed');
      return 'lost';
    }
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
