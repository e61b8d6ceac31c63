import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { NOTIFICATION_CATEGORY, NotificationKind, NotificationResource } from '../notifications/notification-kind';
import { AccessService } from '../sharing/access.service';
import { disclose } from '../sharing/disclosure';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { cloudEventBody, EVENT_DATA_SCHEMA, WebhookEventData } from './webhook-event';
import { Purpose } from '../sharing/purposes';

/** A delivery a dispatcher claimed, with its subscription. */
export interface ClaimedDelivery {
  id: string;
  subscription_id: string;
  organisation_id: string;
  url: string;
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Date | null;
  kind: NotificationKind;
  table_id: string | null;
  case_id: string | null;
  case_reference: string | null;
  resource_type: NotificationResource | null;
  resource_id: string | null;
  link: string | null;
  attempts: number;
  resends: number;
  lease_token: string;
  created_at: Date;
}

export interface Payload {
  body: string;
  contentType: string;
  /** Whether what the notice is about was disclosed (else the event holds only its kind). */
  disclosed: boolean;
}

interface CaseNow {
  table_id: string;
  subject_id: string;
  v_number: string;
}

/**
 * The event a delivery sends, decided when it is sent (every attempt anew), under the receiving
 * organisation's access then (AccessService): what the notice is about is disclosed only while the
 * organisation is a member organisation of the table where the case is now and the covenant grants it
 * the notice's category (a notice of no category, such as a published agenda: membership suffices).
 * Otherwise the event says only which kind of notice it is, as the inbox does: the partner learns that
 * something happened, and nothing of a case. Sending a case's id and reference is processing of the
 * person's data, logged by the system, one entry per attempt.
 */
@Injectable()
export class WebhookPayloads {
  constructor(
    private readonly config: AppConfig,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
  ) {}

  async build(m: EntityManager, d: ClaimedDelivery, traceId: string, startedAt: Date): Promise<Payload> {
    const category = NOTIFICATION_CATEGORY[d.kind];
    const [caseNow]: CaseNow[] = d.case_id
      ? await m.query(`SELECT c.table_id, c.subject_id, s.v_number FROM case_file c JOIN subject s ON s.id = c.subject_id WHERE c.id = $1`, [d.case_id])
      : [];
    const tableId = caseNow?.table_id ?? d.table_id;
    const access = tableId ? await this.access.organisationAccess(d.organisation_id, tableId, m) : undefined;
    const shown = !!access && category !== undefined && (category === null || access.categories.has(category));
    const link = d.link ? `${this.config.PUBLIC_BASE_URL}${d.link}` : undefined;

    let data: Partial<WebhookEventData> = disclose(WebhookEventData, { kind: d.kind }, new Set());
    if (shown) {
      data = disclose(
        WebhookEventData,
        {
          kind: d.kind,
          tableId: tableId ?? undefined,
          caseId: d.case_id ?? undefined,
          caseReference: d.case_reference ?? undefined,
          resourceType: d.resource_type ?? undefined,
          resourceId: d.resource_id ?? undefined,
          link,
          dueDate: await this.dueDate(m, d),
        },
        access.categories,
      );
      if (caseNow) {
        await this.log.recordBySystem(m, traceId, access.tableId, {
          operation: 'webhook.send',
          activityCategory: category ?? 'deliberation',
          categories: [category ?? 'deliberation'],
          subjects: [{ subjectId: caseNow.subject_id, vNumber: caseNow.v_number }],
          purpose: Purpose.Notification,
          startedAt,
        });
      }
    }
    const { body, contentType } = cloudEventBody({
      id: d.id,
      source: this.config.WEBHOOK_SOURCE,
      kind: d.kind,
      time: d.created_at,
      subject: shown && d.resource_type && d.resource_id ? `${d.resource_type}/${d.resource_id}` : undefined,
      dataref: shown ? link : undefined,
      dataschema: `${this.config.PUBLIC_BASE_URL}/api/v1/openapi.json#/components/schemas/${EVENT_DATA_SCHEMA}`,
      data,
    });
    return { body, contentType, disclosed: shown };
  }

  /** The live due date of an action or the response deadline of an escalation; none for anything else. */
  private async dueDate(m: EntityManager, d: ClaimedDelivery): Promise<string | null | undefined> {
    if (d.resource_type !== 'action' && d.resource_type !== 'escalation') return undefined;
    const sql =
      d.resource_type === 'action'
        ? `SELECT due_date::text AS due FROM action WHERE id = $1`
        : `SELECT response_due_date::text AS due FROM escalation WHERE id = $1`;
    const [row]: { due: string | null }[] = await m.query(sql, [d.resource_id]);
    return row?.due ?? null;
  }
}
