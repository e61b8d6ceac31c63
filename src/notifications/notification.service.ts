import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import type { Category } from '../sharing/categories';
import { NotificationKind, NotificationResource } from './notification-kind';

export interface NotificationInput {
  /** User ids (see `audience`); duplicates are written once. Each gets an inbox entry and an e-mail. */
  recipients: string[];
  /**
   * Organisation ids (see `audience`) whose partner systems are told through their webhook subscriptions;
   * absent or empty: none (a notice meant for a person, such as the chair's).
   */
  organisations?: string[];
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

/**
 * The columns a notice is stored with, one array each (cause, kind, table, case id and reference, resource
 * type and id, link), for an `unnest` of many rows: the notifications and the channels' records alike.
 */
export function noticeColumns(notices: NotificationInput[]): unknown[][] {
  return [
    notices.map((n) => n.cause),
    notices.map((n) => n.kind),
    notices.map((n) => n.tableId),
    notices.map((n) => n.case?.id ?? null),
    notices.map((n) => n.case?.reference ?? null),
    notices.map((n) => n.resource?.type ?? null),
    notices.map((n) => n.resource?.id ?? null),
    notices.map((n) => n.link ?? null),
  ];
}

/** A notification row that `notify()` wrote (its recipient had none for the cause yet). */
export interface WrittenNotification {
  id: string;
  recipientUserId: string;
}

/** One notice and the notification rows `notifyMany()` wrote for it. */
export interface RecordedNotice {
  input: NotificationInput;
  written: WrittenNotification[];
}

/**
 * A way out besides the inbox (e-mail, webhooks). `notifyMany()` calls every channel once, in its
 * transaction, with all its notices, so that what a channel will send is recorded exactly when the
 * notifications are (in a few statements, whatever their number); the channel's own worker sends it later,
 * from PostgreSQL. Every notice is passed, also one whose rows were not new (`written` empty): a channel
 * keys its records itself (e.g. by subscription and cause).
 */
export interface NotificationChannel {
  readonly name: string;
  record(m: EntityManager, notices: RecordedNotice[]): Promise<void>;
}

/** The channels, in the order they record; provided by NotificationsModule. */
export const NOTIFICATION_CHANNELS = Symbol('NOTIFICATION_CHANNELS');

/** Who is told: people (inbox and e-mail) and organisations (their partner systems' webhooks). */
export interface Audience {
  users: string[];
  organisations: string[];
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
  constructor(
    private readonly clock: Clock,
    @Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannel[],
  ) {}

  /**
   * Writes the notification for each recipient that does not have one for this cause yet, and has every
   * channel record what it will send; returns how many notifications it wrote.
   */
  async notify(m: EntityManager, n: NotificationInput): Promise<number> {
    return this.notifyMany(m, [n]);
  }

  /**
   * `notify()` for many notices at once (the reminders of a batch of actions): one statement writes every
   * notification, and each channel records its deliveries in one more. Returns how many notifications it wrote.
   */
  async notifyMany(m: EntityManager, notices: NotificationInput[]): Promise<number> {
    return (await this.notifyManyCounted(m, notices)).reduce((sum, n) => sum + n, 0);
  }

  /** `notifyMany()`, returning how many notifications it wrote for each notice. */
  async notifyManyCounted(m: EntityManager, notices: NotificationInput[]): Promise<number[]> {
    if (!notices.length) return [];
    const written = await this.write(m, notices);
    const recorded = notices.map((input, i) => ({ input, written: written[i] }));
    for (const channel of this.channels) await channel.record(m, recorded);
    return written.map((w) => w.length);
  }

  /** The rows written, per notice (in the order of `notices`); a (recipient, cause) pair is written once. */
  private async write(m: EntityManager, notices: NotificationInput[]): Promise<WrittenNotification[][]> {
    const byKey = new Map<string, { notice: number; recipient: string; n: NotificationInput }>();
    notices.forEach((n, notice) => {
      for (const recipient of n.recipients) {
        const key = `${recipient}|${n.cause}`;
        if (!byKey.has(key)) byKey.set(key, { notice, recipient, n });
      }
    });
    const out: WrittenNotification[][] = notices.map(() => []);
    const pairs = [...byKey.values()];
    if (!pairs.length) return out;
    const rows: { id: string; recipient_user_id: string; cause: string }[] = await m.query(
      `INSERT INTO notification (recipient_user_id, cause, kind, table_id, case_id, case_reference, resource_type, resource_id, link, created_at)
       SELECT r, cause, kind, table_id, case_id, case_reference, resource_type, resource_id, link, $10
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::uuid[], $9::text[])
              AS x(r, cause, kind, table_id, case_id, case_reference, resource_type, resource_id, link)
       ON CONFLICT ON CONSTRAINT notification_recipient_cause_key DO NOTHING
       RETURNING id, recipient_user_id, cause`,
      [
        pairs.map((p) => p.recipient),
        ...noticeColumns(pairs.map((p) => p.n)),
        this.clock.now(),
      ],
    );
    for (const r of rows) out[byKey.get(`${r.recipient_user_id}|${r.cause}`)!.notice].push({ id: r.id, recipientUserId: r.recipient_user_id });
    return out;
  }

  /**
   * The users (as `recipientsAt`) and the organisations told about a notice at a table. Organisations are
   * the table's current member organisations that `q` names by id or type and, with `q.category`, that the
   * covenant grants it; a notice addressed by role or to users only (the chair, an owner user) is personal
   * and goes to no organisation's system.
   */
  async audience(m: EntityManager, tableId: string, q: RecipientQuery = {}): Promise<Audience> {
    const users = await this.recipientsAt(m, tableId, q);
    if (q.roles || (q.userIds && !q.organisationIds && !q.organisationTypes)) return { users, organisations: [] };
    const params: unknown[] = [tableId];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = ['mo.table_id = $1', 'mo.left_at IS NULL', 'o.active'];
    if (q.organisationIds) where.push(`o.id = ANY(${p(q.organisationIds)}::uuid[])`);
    if (q.organisationTypes) where.push(`o.type = ANY(${p(q.organisationTypes)}::text[])`);
    if (q.category) {
      where.push(`EXISTS (SELECT 1 FROM covenant_grant g
                           WHERE g.covenant_version_id = t.current_covenant_version_id AND g.organisation_type = o.type AND g.category = ${p(q.category)})`);
    }
    const rows: { id: string }[] = await m.query(
      `SELECT o.id FROM table_member_organisation mo
         JOIN chain_table t ON t.id = mo.table_id
         JOIN organisation o ON o.id = mo.organisation_id
        WHERE ${where.join(' AND ')}
        ORDER BY o.id`,
      params,
    );
    return { users, organisations: rows.map((r) => r.id) };
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
