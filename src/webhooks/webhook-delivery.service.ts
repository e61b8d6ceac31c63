import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainException, notFound, ValidationProblem } from '../common/problem';
import { NotificationKind } from '../notifications/notification-kind';
import { eventTypeOf } from './webhook-event';
import { DeliveryStatus, ListWebhookDeliveriesQuery } from './webhook-subscription.dto';
import { WebhookSubscriptionService } from './webhook-subscription.service';
import { WebhookDeliveryPageView, WebhookDeliveryView } from './webhook-view';
import { WebhookError } from './webhooks.errors';

const DEFAULT_LIMIT = 25;
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
  cursor_at: string;
}

const SELECT = `
  SELECT id, kind, status, attempts, resends, created_at, next_attempt_at, last_attempt_at, last_status_code, last_error,
         delivered_at, failed_at, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
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

const encodeCursor = (r: DeliveryRow) => Buffer.from(JSON.stringify([r.cursor_at, r.id])).toString('base64url');

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && CURSOR_AT.test(at) && typeof id === 'string' && UUID.test(id)) return { at, id };
  } catch {
    // Falls through to the problem below.
  }
  throw new ValidationProblem([{ name: 'cursor', reason: 'is not a cursor this API issued' }]);
}

/** A subscription's deliveries: listed newest first, and a delivered or failed one sent again on request. */
@Injectable()
export class WebhookDeliveryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly subscriptions: WebhookSubscriptionService,
    private readonly clock: Clock,
  ) {}

  async list(p: Principal, subscriptionId: string, q: ListWebhookDeliveriesQuery): Promise<WebhookDeliveryPageView> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    await this.subscriptions.load(this.dataSource.manager, p, subscriptionId);
    const params: unknown[] = [subscriptionId];
    const where = ['subscription_id = $1'];
    const add = (v: unknown) => `$${params.push(v)}`;
    if (q.status) where.push(`status = ${add(q.status)}`);
    if (after) where.push(`(created_at, id) < (${add(after.at)}::timestamptz, ${add(after.id)}::uuid)`);
    const rows: DeliveryRow[] = await this.dataSource.query(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${add(limit + 1)}`, params);
    const page = rows.slice(0, limit);
    return { items: page.map(toView), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null };
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
