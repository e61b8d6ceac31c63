import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import type { Category } from '../sharing/categories';
import { NotificationKind, NotificationResource } from './notification-kind';

export interface NotificationInput {
  /** User ids (see `recipientsAt`); duplicates are written once. */
  recipients: string[];
  /**
   * Why: unique per recipient, so that whoever writes the same cause again (a job run twice, a second
   * worker, a re-relayed event) writes nothing. `event:<domain event id>` for events; a scheduled reminder
   * names its entity and occasion, e.g. `reminder:action-due:<action id>:<due date>`.
   */
  cause: string;
  kind: NotificationKind;
  tableId: string | null;
  /** The case it is about: only its id and reference are kept, never anything of the person. */
  case?: { id: string; reference: string } | null;
  resource?: { type: NotificationResource; id: string } | null;
  /** The API path a client opens, e.g. `/api/v1/actions/<id>`. */
  link?: string | null;
}

/** Who at a table: the users of `organisationIds` and the users `userIds` (either); neither: everyone there. */
export interface RecipientQuery {
  organisationIds?: string[];
  userIds?: string[];
  /** Only users of organisations of these types. */
  organisationTypes?: string[];
  /** Only users with this role at the table. */
  roles?: ('chair' | 'member')[];
  /** Only organisations the table's current covenant grants this category (the notice would show them nothing else). */
  category?: Category | null;
}

/**
 * The one writer of notifications: the consumers of domain events and the scheduled reminders alike.
 * Both methods take the caller's transaction, so that a notification is recorded exactly when the work
 * that caused it is (and a consumer marks its event delivered in the same transaction).
 */
@Injectable()
export class NotificationService {
  constructor(private readonly clock: Clock) {}

  /** Writes the notification for each recipient that does not have one for this cause yet; returns how many it wrote. */
  async notify(m: EntityManager, n: NotificationInput): Promise<number> {
    const recipients = [...new Set(n.recipients)];
    if (!recipients.length) return 0;
    const rows: unknown[] = await m.query(
      `INSERT INTO notification (recipient_user_id, cause, kind, table_id, case_id, case_reference, resource_type, resource_id, link, created_at)
       SELECT r, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM unnest($1::uuid[]) AS r
       ON CONFLICT ON CONSTRAINT notification_recipient_cause_key DO NOTHING
       RETURNING id`,
      [
        recipients,
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
    return rows.length;
  }

  /**
   * The users who sit at the table now (active membership, account not disabled, organisation still a
   * member organisation) and match `q`: a notice goes only to those who can open what it is about.
   */
  async recipientsAt(m: EntityManager, tableId: string, q: RecipientQuery = {}): Promise<string[]> {
    const params: unknown[] = [tableId];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = ['tm.table_id = $1', 'tm.ended_at IS NULL', 'u.disabled_at IS NULL'];
    if (q.organisationIds || q.userIds) {
      where.push(`(u.organisation_id = ANY(${p(q.organisationIds ?? [])}::uuid[]) OR u.id = ANY(${p(q.userIds ?? [])}::uuid[]))`);
    }
    if (q.organisationTypes) where.push(`o.type = ANY(${p(q.organisationTypes)}::text[])`);
    if (q.roles) where.push(`tm.role = ANY(${p(q.roles)}::text[])`);
    if (q.category) {
      where.push(`EXISTS (SELECT 1 FROM covenant_grant g
                           WHERE g.covenant_version_id = t.current_covenant_version_id AND g.organisation_type = o.type AND g.category = ${p(q.category)})`);
    }
    const rows: { id: string }[] = await m.query(
      `SELECT DISTINCT u.id
         FROM table_membership tm
         JOIN chain_table t ON t.id = tm.table_id
         JOIN app_user u ON u.id = tm.user_id
         JOIN organisation o ON o.id = u.organisation_id
         JOIN table_member_organisation mo ON mo.table_id = tm.table_id AND mo.organisation_id = u.organisation_id AND mo.left_at IS NULL
        WHERE ${where.join(' AND ')}
        ORDER BY u.id`,
      params,
    );
    return rows.map((r) => r.id);
  }
}
