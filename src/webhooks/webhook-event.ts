import { CloudEvent, HTTP } from 'cloudevents';
import { NotificationKind, NotificationResource } from '../notifications/notification-kind';
import { Category, NotPersonal } from '../sharing/disclosure';

/**
 * The kinds a subscription may ask for: every notice kind but the failure of a webhook delivery itself,
 * which goes to the organisation's people (inbox) only, so that a failing endpoint is never told by itself
 * about its own failures, nor does a failure beget another.
 */
export const SUBSCRIBABLE_KINDS: readonly NotificationKind[] = Object.values(NotificationKind).filter((k) => k !== NotificationKind.WebhookDeliveryFailed);

export const isSubscribable = (kind: string): kind is NotificationKind => (SUBSCRIBABLE_KINDS as readonly string[]).includes(kind);

/**
 * The CloudEvents `type` of a kind, in reverse-DNS notation as the NL GOV profile requires: the domain is
 * the product (the semantics are Ketentafel's), the suffix the notice kind. No version suffix: a change
 * that is not backwards compatible gets a new type.
 */
export const eventTypeOf = (kind: NotificationKind) => `nl.ketentafel.${kind}`;

export const EVENT_DATA_SCHEMA = 'WebhookEventData';

/**
 * The `data` of a webhook event: what the inbox shows of a notice, and no more. No field holds personal
 * data; what the notice is about (table, case id and reference, resource, link, due date) is present only
 * while the receiving organisation is a member organisation of the case's table and the covenant grants it
 * the category of the notice. Otherwise only `kind`.
 */
export class WebhookEventData {
  @NotPersonal({ enum: SUBSCRIBABLE_KINDS, description: 'What happened: the notice kind (also the suffix of the event `type`).' })
  kind: NotificationKind;

  @NotPersonal({ format: 'uuid', required: false, description: 'The table; absent when your organisation is no longer a member of it.' })
  tableId?: string;

  @NotPersonal({ format: 'uuid', required: false, description: 'The case, if the notice is about one; absent when you may not see it.' })
  caseId?: string;

  @NotPersonal({ required: false, example: 'HWK-2026-0001' })
  caseReference?: string;

  @NotPersonal({ enum: ['action', 'escalation', 'meeting'], required: false })
  resourceType?: NotificationResource;

  @NotPersonal({ format: 'uuid', required: false })
  resourceId?: string;

  @NotPersonal({ format: 'uri', required: false, description: 'The API resource to read with your own token (under your own disclosure); the same as the event `dataref`.' })
  link?: string;

  @Category('deliberation', { type: String, format: 'date', nullable: true, description: "The action's due date or the escalation's response deadline, as it is when the event is sent." })
  dueDate?: string | null;
}

export interface EventEnvelope {
  /** The delivery id: the same for every attempt and re-send, so a receiver can drop duplicates. */
  id: string;
  source: string;
  kind: NotificationKind;
  /** When Ketentafel recorded the notice (NL GOV profile: the time the event was logged). */
  time: Date;
  /** An opaque name of the resource, e.g. `action/<id>`; only with disclosed data. */
  subject?: string;
  dataref?: string;
  dataschema: string;
  data: Partial<WebhookEventData>;
}

/** The HTTP body of a structured-mode CloudEvents 1.0 JSON event (`application/cloudevents+json`), validated. */
export function cloudEventBody(e: EventEnvelope): { body: string; contentType: string } {
  const event = new CloudEvent(
    {
      specversion: '1.0',
      id: e.id,
      source: e.source,
      type: eventTypeOf(e.kind),
      time: e.time.toISOString(),
      datacontenttype: 'application/json',
      dataschema: e.dataschema,
      ...(e.subject ? { subject: e.subject } : {}),
      ...(e.dataref ? { dataref: e.dataref } : {}),
      data: e.data,
    },
    true,
  );
  const message = HTTP.structured(event);
  return { body: String(message.body), contentType: String(message.headers['content-type']) };
}
