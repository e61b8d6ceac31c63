import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { NOTIFICATION_CATEGORY, NotificationKind, NotificationResource } from '../notifications/notification-kind';
import { AccessService, TableAccess } from '../sharing/access.service';
import type { Category } from '../sharing/categories';
import { disclose } from '../sharing/disclosure';
import { ProcessingLogService, TouchedSubject } from '../sharing/processing-log.service';
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
  restricted: boolean;
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

  /**
   * The events of a claimed batch, in a few statements whatever its size: the cases where they are now,
   * each receiving organisation's access per table (asked once per pair), the live due dates, and the
   * processing log's entries (one system operation per table and category, one entry per data subject).
   */
  async buildMany(m: EntityManager, batch: ClaimedDelivery[], traceId: string, startedAt: Date): Promise<Map<string, Payload>> {
    const caseIds = [...new Set(batch.map((d) => d.case_id).filter((id): id is string => !!id))];
    const cases: (CaseNow & { id: string })[] = caseIds.length
      ? await m.query(
          `SELECT c.id, c.table_id, c.subject_id, s.v_number, s.restricted_at IS NOT NULL AS restricted
             FROM case_file c JOIN subject s ON s.id = c.subject_id WHERE c.id = ANY($1::uuid[])`,
          [caseIds],
        )
      : [];
    const caseNow = new Map(cases.map((c) => [c.id, c]));
    const dueDates = await this.dueDates(m, batch);
    const accesses = new Map<string, TableAccess | undefined>();
    const logged = new Map<string, { tableId: string; category: Category; subjects: TouchedSubject[] }>();
    const out = new Map<string, Payload>();
    for (const d of batch) {
      const now = d.case_id ? caseNow.get(d.case_id) : undefined;
      const tableId = now?.table_id ?? d.table_id;
      const key = `${d.organisation_id}|${tableId}`;
      if (tableId && !accesses.has(key)) accesses.set(key, await this.access.organisationAccess(d.organisation_id, tableId, m));
      const access = tableId ? accesses.get(key) : undefined;
      const category = NOTIFICATION_CATEGORY[d.kind];
      // A restricted person's case is not processed: the notice goes out with its kind only, like one not disclosed.
      const shown = !!access && category !== undefined && (category === null || access.categories.has(category)) && !now?.restricted;
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
            dueDate: d.resource_type === 'action' || d.resource_type === 'escalation' ? (dueDates.get(d.resource_id!) ?? null) : undefined,
          },
          access.categories,
        );
        if (now) {
          const logCategory = category ?? 'deliberation';
          const group = logged.get(`${access.tableId}|${logCategory}`) ?? { tableId: access.tableId, category: logCategory, subjects: [] };
          group.subjects.push({ subjectId: now.subject_id, vNumber: now.v_number });
          logged.set(`${access.tableId}|${logCategory}`, group);
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
      out.set(d.id, { body, contentType, disclosed: shown });
    }
    for (const g of logged.values()) {
      await this.log.recordBySystem(m, traceId, g.tableId, {
        operation: 'webhook.send',
        activityCategory: g.category,
        categories: [g.category],
        subjects: g.subjects,
        purpose: Purpose.Notification,
        startedAt,
      });
    }
    return out;
  }

  /** The live due date of each action and response deadline of each escalation the batch is about (null: none). */
  private async dueDates(m: EntityManager, batch: ClaimedDelivery[]): Promise<Map<string, string | null>> {
    const ids = (type: string) => [...new Set(batch.filter((d) => d.resource_type === type).map((d) => d.resource_id!))];
    const actions = ids('action');
    const escalations = ids('escalation');
    const rows: { id: string; due: string | null }[] = [
      ...(actions.length ? await m.query(`SELECT id, due_date::text AS due FROM action WHERE id = ANY($1::uuid[])`, [actions]) : []),
      ...(escalations.length ? await m.query(`SELECT id, response_due_date::text AS due FROM escalation WHERE id = ANY($1::uuid[])`, [escalations]) : []),
    ];
    return new Map(rows.map((r) => [r.id, r.due]));
  }
}
