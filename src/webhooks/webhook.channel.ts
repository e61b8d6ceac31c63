import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import type { NotificationChannel, NotificationInput } from '../notifications/notification.service';
import { isSubscribable } from './webhook-event';

/**
 * Records, in notify()'s transaction, one delivery per active subscription of each organisation the notice
 * goes to that asks for its kind. Keyed by (subscription, cause), so a notice written again (a job run
 * twice, a re-relayed event) records nothing twice. A dispatcher sends it later (WebhookDispatcher),
 * deciding only then what the event discloses.
 */
@Injectable()
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhooks';

  constructor(private readonly clock: Clock) {}

  async record(m: EntityManager, n: NotificationInput): Promise<void> {
    const organisations = [...new Set(n.organisations ?? [])];
    if (!organisations.length || !isSubscribable(n.kind)) return;
    await m.query(
      `INSERT INTO webhook_delivery (subscription_id, cause, kind, table_id, case_id, case_reference, resource_type, resource_id, link, next_attempt_at, created_at)
       SELECT s.id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10
         FROM webhook_subscription s
        WHERE s.organisation_id = ANY($1::uuid[]) AND s.active AND $3 = ANY(s.event_types)
        ORDER BY s.id
       ON CONFLICT ON CONSTRAINT webhook_delivery_subscription_cause_key DO NOTHING`,
      [
        organisations,
        n.cause,
        n.kind,
        n.tableId,
        n.case?.id ?? null,
        n.case?.reference ?? null,
        n.resource?.type ?? null,
        n.resource?.id ?? null,
        n.link ?? null,
        this.clock.now(),
      ],
    );
  }
}
