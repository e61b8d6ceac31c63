import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { CURSOR_TIMESTAMP, CURSOR_UUID, decodeCursor, DEFAULT_PAGE_SIZE, pageOf } from '../common/pagination';
import { notFound } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { AccessService, TableAccess } from '../sharing/access.service';
import type { Category } from '../sharing/categories';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { ListInboxQuery } from './inbox.dto';
import { InboxItemView, inboxItemView, InboxPageView, InboxRow, isVisible, ReadAllView, UnreadCountView } from './inbox-view';
import { NOTIFICATION_CATEGORY } from './notification-kind';
import { Purpose } from '../sharing/purposes';

/** A notification with what it is about as it is now: the case's current table and the live due date. */
const SELECT = `
  SELECT n.id, n.kind, n.created_at, n.read_at, coalesce(c.table_id, n.table_id) AS table_id, n.case_id, n.case_reference,
         n.resource_type, n.resource_id, n.link, c.subject_id, s.v_number,
         CASE n.resource_type
           WHEN 'action' THEN (SELECT a.due_date::text FROM action a WHERE a.id = n.resource_id)
           WHEN 'escalation' THEN (SELECT e.response_due_date::text FROM escalation e WHERE e.id = n.resource_id)
         END AS due_date,
         to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
    FROM notification n
    LEFT JOIN case_file c ON c.id = n.case_id
    LEFT JOIN subject s ON s.id = c.subject_id`;

/**
 * The in-app inbox: a user's own notifications only (anyone else's is not found), each disclosed under
 * the caller's current access to its table (AccessService) and logged, per table, like any read of case data.
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly clock: Clock,
  ) {}

  async list(ctx: RequestContext, q: ListInboxQuery): Promise<InboxPageView> {
    const startedAt = this.clock.now();
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    // The position after a row: created_at to the microsecond, and id.
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, [CURSOR_TIMESTAMP, CURSOR_UUID]);
    return this.dataSource.transaction(async (m) => {
      const params: unknown[] = [ctx.principal.id];
      const p = (v: unknown) => `$${params.push(v)}`;
      const where = ['n.recipient_user_id = $1'];
      if (q.unread !== undefined) where.push(q.unread ? 'n.read_at IS NULL' : 'n.read_at IS NOT NULL');
      if (after) where.push(`(n.created_at, n.id) < (${p(after[0])}::timestamptz, ${p(after[1])}::uuid)`);
      const rows: InboxRow[] = await m.query(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY n.created_at DESC, n.id DESC LIMIT ${p(limit + 1)}`, params);
      const page = pageOf(rows, limit, (r) => [r.cursor_at, r.id], (r) => r);
      return { items: await this.disclose(m, ctx, page.items, startedAt), nextCursor: page.nextCursor };
    });
  }

  async unreadCount(ctx: RequestContext): Promise<UnreadCountView> {
    const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM notification WHERE recipient_user_id = $1 AND read_at IS NULL`, [ctx.principal.id]);
    return { unread: row.n };
  }

  /** Idempotent: a notification read before keeps its first read time. */
  async markRead(ctx: RequestContext, id: string): Promise<Partial<InboxItemView>> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const [rows]: [{ id: string }[], number] = await m.query(
        `UPDATE notification SET read_at = coalesce(read_at, $3) WHERE id = $1 AND recipient_user_id = $2 RETURNING id`,
        [id, ctx.principal.id, this.clock.now()],
      );
      if (!rows.length) throw notFound('Notification');
      const found: InboxRow[] = await m.query(`${SELECT} WHERE n.id = $1`, [id]);
      return (await this.disclose(m, ctx, found, startedAt))[0];
    });
  }

  async markAllRead(ctx: RequestContext): Promise<ReadAllView> {
    const [, marked]: [unknown, number] = await this.dataSource.query(
      `UPDATE notification SET read_at = $2 WHERE recipient_user_id = $1 AND read_at IS NULL`,
      [ctx.principal.id, this.clock.now()],
    );
    return { marked };
  }

  /** Each item under the caller's access to its table now; one processing-log record per table for the cases shown. */
  private async disclose(m: EntityManager, ctx: RequestContext, rows: InboxRow[], startedAt: Date): Promise<Partial<InboxItemView>[]> {
    if (!rows.length) return [];
    const tables = new Map<string, TableAccess>((await this.access.accessibleTables(ctx, m)).map((a) => [a.tableId, a]));
    const shown = new Map<string, { access: TableAccess; rows: InboxRow[] }>();
    const items = rows.map((row) => {
      const access = row.table_id ? tables.get(row.table_id) : undefined;
      if (access && row.case_id && isVisible(row, access.categories)) {
        const entry = shown.get(access.tableId) ?? { access, rows: [] };
        entry.rows.push(row);
        shown.set(access.tableId, entry);
      }
      return inboxItemView(row, access?.categories);
    });
    for (const { access, rows: cases } of shown.values()) {
      const categories = [...new Set(cases.map((r) => NOTIFICATION_CATEGORY[r.kind]).filter((c): c is Category => !!c))];
      await this.log.record(m, ctx, access, {
        operation: 'inbox.read',
        activityCategory: 'deliberation',
        categories,
        subjects: cases.map((r) => ({ subjectId: r.subject_id!, vNumber: r.v_number! })),
        purpose: Purpose.Notification,
        startedAt,
      });
    }
    return items;
  }
}
