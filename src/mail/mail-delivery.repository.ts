import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotificationKind, NotificationResource } from '../notifications/notification-kind';
import type { Category } from '../sharing/categories';
import type { MailSkipReason } from './mail-recipient.policy';

export type MailStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface ClaimedDelivery {
  id: string;
  /** Including this claim's attempt. */
  attempts: number;
  messageId: string;
}

/** A delivery with its notification, recipient and case as they are now (one statement). */
export interface DeliveryFacts {
  id: string;
  kind: NotificationKind;
  tableId: string | null;
  tableName: string | null;
  caseId: string | null;
  caseReference: string | null;
  resourceType: NotificationResource | null;
  link: string | null;
  dueDate: string | null;
  email: string;
  disabled: boolean;
  administrator: boolean;
  seated: boolean;
  granted: Category[];
  restricted: boolean;
  /** For the processing log only (its keyed hash); never put in an e-mail. */
  subjectId: string | null;
  vNumber: string | null;
}

const FACTS = `
  SELECT d.id, n.kind, where_now.table_id AS "tableId", t.name AS "tableName", n.case_id AS "caseId",
         n.case_reference AS "caseReference", n.resource_type AS "resourceType", n.link,
         CASE n.resource_type
           WHEN 'action' THEN (SELECT a.due_date::text FROM action a WHERE a.id = n.resource_id)
           WHEN 'escalation' THEN (SELECT e.response_due_date::text FROM escalation e WHERE e.id = n.resource_id)
         END AS "dueDate",
         u.email, (u.disabled_at IS NOT NULL OR NOT o.active) AS disabled, 'admin' = ANY(u.global_roles) AS administrator,
         coalesce(t.active AND EXISTS (
           SELECT 1 FROM table_membership tm
             JOIN table_member_organisation mo ON mo.table_id = tm.table_id AND mo.organisation_id = u.organisation_id AND mo.left_at IS NULL
            WHERE tm.table_id = t.id AND tm.user_id = u.id AND tm.ended_at IS NULL), false) AS seated,
         coalesce((SELECT array_agg(g.category ORDER BY g.category) FROM covenant_grant g
                    WHERE g.covenant_version_id = t.current_covenant_version_id AND g.organisation_type = o.type), '{}') AS granted,
         c.subject_id AS "subjectId", s.v_number AS "vNumber", coalesce(s.restricted_at IS NOT NULL, false) AS restricted
    FROM email_delivery d
    JOIN notification n ON n.id = d.notification_id
    JOIN app_user u ON u.id = n.recipient_user_id
    JOIN organisation o ON o.id = u.organisation_id
    LEFT JOIN case_file c ON c.id = n.case_id
    LEFT JOIN subject s ON s.id = c.subject_id
    CROSS JOIN LATERAL (SELECT coalesce(c.table_id, n.table_id) AS table_id) where_now
    LEFT JOIN chain_table t ON t.id = where_now.table_id
   WHERE d.id = ANY($1::uuid[])`;

/** A claim of the rows `due` selects ($1 now, $2 limit, $3 token, $4 lease expiry). */
const claimOf = (due: string) => `
  UPDATE email_delivery d
     SET status = 'sending', attempts = d.attempts + 1, lease_token = $3, lease_expires_at = $4, last_attempt_at = $1
    FROM (${due}) due
   WHERE d.id = due.id
   RETURNING d.id, d.attempts, d.message_id AS "messageId"`;

/**
 * The claims, each walking one partial index in its own order and stopping at `$2` rows, so a claim costs its
 * batch however many rows are due (one statement ordering both kinds by one expression sorted every due row on
 * each claim: at 100,000 due, most of the fan-out's database time): lapsed leases first
 * (`email_delivery_sending_lease_idx`), then due pending rows (`email_delivery_pending_due_idx`).
 */
export const CLAIM_LAPSED = claimOf(`
  SELECT id FROM email_delivery WHERE status = 'sending' AND lease_expires_at <= $1
   ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`);
export const CLAIM_DUE = claimOf(`
  SELECT id FROM email_delivery WHERE status = 'pending' AND next_attempt_at <= $1
   ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED`);

/**
 * The named queries of e-mail delivery. A dispatcher claims rows with a lease token and finishes only rows
 * that still hold its token: once a lease has run out another dispatcher may have taken the row over, and
 * the late one's outcome is then dropped (its finishing statement matches no row).
 */
@Injectable()
export class MailDeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Claims up to `limit` rows that are due: pending ones whose attempt time has come, and `sending` ones
   * whose lease ran out (their dispatcher crashed or hung). `SKIP LOCKED`: two dispatchers never claim the
   * same row, and neither waits for the other. Each of the (at most) two statements commits at once.
   */
  async claim(now: Date, limit: number, token: string, leaseExpiresAt: Date): Promise<ClaimedDelivery[]> {
    const [lapsed]: [ClaimedDelivery[], number] = await this.dataSource.query(CLAIM_LAPSED, [now, limit, token, leaseExpiresAt]);
    if (lapsed.length >= limit) return lapsed;
    const [due]: [ClaimedDelivery[], number] = await this.dataSource.query(CLAIM_DUE, [now, limit - lapsed.length, token, leaseExpiresAt]);
    return [...lapsed, ...due];
  }

  /** The facts of each of `ids` that still has its notification, in one statement. */
  async factsOf(ids: string[], m: EntityManager = this.dataSource.manager): Promise<Map<string, DeliveryFacts>> {
    const rows: DeliveryFacts[] = await m.query(FACTS, [ids]);
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Marks the rows of `ids` that are still this claim's sent, in one statement; returns those. */
  async markSentMany(m: EntityManager, ids: string[], token: string, now: Date): Promise<Set<string>> {
    const [rows]: [{ id: string }[], number] = await m.query(
      `UPDATE email_delivery SET status = 'sent', sent_at = $3, last_error_code = NULL, lease_token = NULL, lease_expires_at = NULL
        WHERE id = ANY($1::uuid[]) AND lease_token = $2 AND status = 'sending'
       RETURNING id`,
      [ids, token, now],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Marks the rows that are still this claim's skipped, each with its reason, in one statement; returns how many. */
  async markSkippedMany(skips: { id: string; reason: MailSkipReason }[], token: string): Promise<number> {
    if (!skips.length) return 0;
    const [, count]: [unknown, number] = await this.dataSource.query(
      `UPDATE email_delivery d SET status = 'skipped', skip_reason = x.reason, lease_token = NULL, lease_expires_at = NULL
         FROM unnest($1::uuid[], $2::text[]) AS x(id, reason)
        WHERE d.id = x.id AND d.lease_token = $3 AND d.status = 'sending'`,
      [skips.map((x) => x.id), skips.map((x) => x.reason), token],
    );
    return count;
  }

  async markRetry(id: string, token: string, nextAttemptAt: Date, code: string): Promise<boolean> {
    return this.finish(this.dataSource.manager, id, token, `status = 'pending', next_attempt_at = $3, last_error_code = $4`, [nextAttemptAt, code]);
  }

  async markFailed(id: string, token: string, code: string): Promise<boolean> {
    return this.finish(this.dataSource.manager, id, token, `status = 'failed', last_error_code = $3`, [code]);
  }

  /** Without SMTP, what is due is skipped in bulk rather than left to pile up. Returns how many. */
  async skipAllDue(now: Date, limit: number, reason: MailSkipReason): Promise<number> {
    const [, count]: [unknown, number] = await this.dataSource.query(
      `UPDATE email_delivery d SET status = 'skipped', skip_reason = $3, lease_token = NULL, lease_expires_at = NULL
         FROM (SELECT id FROM email_delivery
                WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_expires_at <= $1)
                LIMIT $2
                  FOR UPDATE SKIP LOCKED) due
        WHERE d.id = due.id`,
      [now, limit, reason],
    );
    return count;
  }

  private async finish(m: EntityManager, id: string, token: string, set: string, params: unknown[]): Promise<boolean> {
    const [, count]: [unknown, number] = await m.query(
      `UPDATE email_delivery SET ${set}, lease_token = NULL, lease_expires_at = NULL
        WHERE id = $1 AND lease_token = $2 AND status = 'sending'`,
      [id, token, ...params],
    );
    return count === 1;
  }
}
