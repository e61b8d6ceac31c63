import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { type NotificationChannel, noticeColumns, type RecordedNotice } from '../notifications/notification.service';
import { isSubscribable } from './webhook-event';

/**
 * Records, in notifyMany()'s transaction, one delivery per active subscription of each organisation the notice
 * goes to that asks for its kind. Keyed by (subscription, cause), so a notice written again (a job run
 * twice, a re-relayed event) records nothing twice. A dispatcher sends it later (WebhookDispatcher),
 * deciding only then what the event discloses.
 */
@Injectable()
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhooks';

  constructor(private readonly clock: Clock) {}

  async record(m: EntityManager, notices: RecordedNotice[]): Promise<void> {
    // One row per (notice, organisation), carrying the notice's columns: one statement for all of them.
    const pairs = notices.flatMap(({ input: n }) =>
      isSubscribable(n.kind) ? [...new Set(n.organisations ?? [])].map((organisation) => ({ organisation, n })) : [],
    );
    if (!pairs.length) return;
    await m.query(
      `INSERT INTO webhook_delivery (subscription_id, cause, kind, table_id, case_id, case_reference, resource_type, resource_id, link, next_attempt_at, created_at)
       SELECT s.id, x.cause, x.kind, x.table_id, x.case_id, x.case_reference, x.resource_type, x.resource_id, x.link, $10, $10
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::uuid[], $9::text[])
              AS x(organisation_id, cause, kind, table_id, case_id, case_reference, resource_type, resource_id, link)
         JOIN webhook_subscription s ON s.organisation_id = x.organisation_id AND s.active AND x.kind = ANY(s.event_types)
        ORDER BY s.id, x.cause
       ON CONFLICT ON CONSTRAINT webhook_delivery_subscription_cause_key DO NOTHING`,
      [
        pairs.map((p) => p.organisation),
        ...noticeColumns(pairs.map((p) => p.n)),
        this.clock.now(),
      ],
    );
  }
}
