import { NotificationKind } from '../notifications/notification-kind';
import { NotPersonal } from '../sharing/disclosure';
import { DELIVERY_STATUSES, DeliveryStatus } from './webhook-subscription.dto';
import { SUBSCRIBABLE_KINDS } from './webhook-event';
import { PageViewOf } from '../common/pagination';

/** A subscription as its owner and administrators see it; never its secret (shown once, at creation and rotation). */
export class WebhookSubscriptionView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid' }) organisationId: string;
  @NotPersonal() url: string;
  @NotPersonal({ enum: SUBSCRIBABLE_KINDS, isArray: true }) eventTypes: NotificationKind[];
  @NotPersonal({ type: String, nullable: true }) description: string | null;
  @NotPersonal() active: boolean;
  @NotPersonal({ format: 'date-time' }) createdAt: string;
  @NotPersonal({ format: 'date-time' }) updatedAt: string;
  @NotPersonal({ type: String, format: 'date-time', nullable: true, description: 'When the secret was last rotated.' }) secretRotatedAt: string | null;
  @NotPersonal({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Until then, deliveries are signed with the previous secret as well (a second `v1,` signature), so that the receiver can switch over.',
  })
  previousSecretValidUntil: string | null;
}

export const WebhookSubscriptionPage = PageViewOf(WebhookSubscriptionView, 'WebhookSubscriptionPage');

export class WebhookSubscriptionWithSecretView extends WebhookSubscriptionView {
  @NotPersonal({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The Standard Webhooks signing secret. Shown only in this response: store it now. It is kept encrypted and cannot be read again.',
  })
  secret: string;
}

/** One delivery: what was (or will be) sent about one notice, and how it went. It holds nothing of a case. */
export class WebhookDeliveryView {
  @NotPersonal({ format: 'uuid', description: 'The CloudEvents `id` and the `webhook-id` header: the same for every attempt and re-send.' }) id: string;
  @NotPersonal({ example: 'nl.ketentafel.action_overdue', description: 'The CloudEvents `type`.' }) eventType: string;
  @NotPersonal({ enum: SUBSCRIBABLE_KINDS }) kind: NotificationKind;
  @NotPersonal({ enum: DELIVERY_STATUSES }) status: DeliveryStatus;
  @NotPersonal({ type: 'integer', minimum: 0, description: 'Attempts since it was recorded or last re-sent.' }) attempts: number;
  @NotPersonal({ type: 'integer', minimum: 0 }) resends: number;
  @NotPersonal({ format: 'date-time', description: 'When the notice was recorded: the CloudEvents `time`.' }) createdAt: string;
  @NotPersonal({ type: String, format: 'date-time', nullable: true, description: 'Pending only.' }) nextAttemptAt: string | null;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) lastAttemptAt: string | null;
  @NotPersonal({ type: 'integer', nullable: true, description: "The receiver's HTTP status of the last attempt." }) lastStatusCode: number | null;
  @NotPersonal({ type: String, nullable: true, example: 'http_503', description: '`http_<status>`, `timeout`, a network error code, `url_not_allowed` or `secret_unreadable`.' })
  lastError: string | null;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) failedAt: string | null;
}

export class WebhookDeliveryPageView {
  @NotPersonal({ type: () => WebhookDeliveryView, isArray: true, description: 'Newest first.' }) items: WebhookDeliveryView[];
  @NotPersonal({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' }) nextCursor: string | null;
}
