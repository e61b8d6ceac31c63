import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { Keyset, SortField } from '../common/list-query';
import { DEFAULT_PAGE_SIZE, pageOf } from '../common/pagination';
import { DomainException, notFound } from '../common/problem';
import { NotificationKind } from '../notifications/notification-kind';
import { eventTypeOf } from './webhook-event';
import { DeliveryStatus, ListWebhookDeliveriesQuery } from './webhook-subscription.dto';
import { WebhookSubscriptionService } from './webhook-subscription.service';
import { WebhookDeliveryPageView, WebhookDeliveryView } from './webhook-view';
import { WebhookError } from './webhooks.errors';

/** Newest first: a keyset over (created_at, id), served by webhook_delivery_subscription_created_at_idx. */
const DELIVERY_ORDER: Record<string, SortField> = { createdAt: { column: 'created_at', kind: 'timestamp' } };

interface DeliveryRow {
  id: string;
  kind: NotificationKind;
  status: DeliveryStatus;
  attempts: number;
  resends: number;
  created_at: Date;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  failed_at: Date | null;
  sort_key: string;
}

const SELECT = `
  SELECT id, kind, status, attempts, resends, created_at, next_attempt_at, last_attempt_at, last_status_code, last_error,
         delivered_at, failed_at, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_key
    FROM webhook_delivery`;

const iso = (d: Date | null) => d?.toISOString() ?? null;

const toView = (r: DeliveryRow): WebhookDeliveryView => ({
  id: r.id,
  eventType: eventTypeOf(r.kind),
  kind: r.kind,
  status: r.status,
  attempts: r.attempts,
  resends: r.resends,
  createdAt: r.created_at.toISOString(),
  nextAttemptAt: iso(r.next_attempt_at),
  lastAttemptAt: iso(r.last_attempt_at),
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  deliveredAt: iso(r.delivered_at),
  failedAt: iso(r.failed_at),
});


/** A subscription's deliveries: listed newest first, and a delivered or failed one sent again on request. */
@Injectable()
export class WebhookDeliveryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly subscriptions: WebhookSubscriptionService,
    private readonly clock: Clock,
  ) {}

  async list(p: Principal, subscriptionId: string, q: ListWebhookDeliveriesQuery): Promise<WebhookDeliveryPageView> {
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const keyset = new Keyset(DELIVERY_ORDER, '-createdAt', 'id');
    const params: unknown[] = [subscriptionId];
    const after = keyset.after(q.cursor, params);
    await this.subscriptions.load(this.dataSource.manager, p, subscriptionId);
    const where = ['subscription_id = $1'];
    if (after) where.push(after);
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    const rows: DeliveryRow[] = await this.dataSource.query(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY ${keyset.orderBy} LIMIT $${params.push(limit + 1)}`, params);
    return pageOf(rows, limit, keyset.positionOf, toView);
  }

  /**
   * Sends a delivered or failed delivery again, with the same id (receivers that keep ids drop it if they
   * had it): due at once, with a fresh round of attempts on the same schedule. A pending one is 409.
   */
  async resend(p: Principal, subscriptionId: string, deliveryId: string): Promise<WebhookDeliveryView> {
    return this.dataSource.transaction(async (m) => {
      await this.subscriptions.load(m, p, subscriptionId);
      const [found]: { status: DeliveryStatus }[] = await m.query(
        `SELECT status FROM webhook_delivery WHERE id = $1 AND subscription_id = $2 FOR UPDATE`,
        [deliveryId, subscriptionId],
      );
      if (!found) throw notFound('Webhook delivery');
      if (found.status === 'pending') {
        throw new DomainException(HttpStatus.CONFLICT, WebhookError.DeliveryPending, 'This delivery is still pending: it will be attempted on its schedule.');
      }
      await m.query(
        `UPDATE webhook_delivery
            SET status = 'pending', attempts = 0, resends = resends + 1, next_attempt_at = $2, delivered_at = NULL, failed_at = NULL
          WHERE id = $1`,
        [deliveryId, this.clock.now()],
      );
      const [row]: DeliveryRow[] = await m.query(`${SELECT} WHERE id = $1`, [deliveryId]);
      return toView(row);
    });
  }
}
