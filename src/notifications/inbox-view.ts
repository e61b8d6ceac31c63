import type { Category as CategoryName } from '../sharing/categories';
import { Category, disclose, NotPersonal } from '../sharing/disclosure';
import { NOTIFICATION_CATEGORY, NotificationKind, NotificationResource } from './notification-kind';

/**
 * One notification as its recipient sees it now. It stores no personal data; what it is about (table,
 * case reference, link, the live due date) is shown only while the reader sits at the case's table (where
 * the case is now) and the covenant grants their organisation the category of what it reports. Otherwise
 * only that something happened, and when.
 */
export class InboxItemView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ enum: Object.values(NotificationKind) }) kind: NotificationKind;
  @NotPersonal({ format: 'date-time' }) createdAt: string;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) readAt: string | null;
  @NotPersonal({ format: 'uuid', required: false, description: 'Absent when you no longer sit at the table.' }) tableId?: string;
  @NotPersonal({ format: 'uuid', required: false, description: 'The case it is about, if any; absent when you may no longer see it.' }) caseId?: string;
  @NotPersonal({ required: false, example: 'HWK-2026-0001' }) caseReference?: string;
  @NotPersonal({ enum: ['action', 'escalation', 'meeting', 'webhook_delivery'], required: false }) resourceType?: NotificationResource;
  @NotPersonal({ format: 'uuid', required: false }) resourceId?: string;
  @NotPersonal({ required: false, example: '/api/v1/actions/3f0c…', description: 'The API path to open.' }) link?: string;
  @Category('deliberation', { type: String, format: 'date', nullable: true, description: "The action's due date or the escalation's response deadline, as it is now." })
  dueDate?: string | null;
}

export class InboxPageView {
  @NotPersonal({ type: () => InboxItemView, isArray: true, description: 'Newest first; each disclosed under the covenant of its table.' }) items: Partial<InboxItemView>[];
  @NotPersonal({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' }) nextCursor: string | null;
}

export class UnreadCountView {
  @NotPersonal({ type: 'integer', minimum: 0 }) unread: number;
}

export class ReadAllView {
  @NotPersonal({ type: 'integer', minimum: 0, description: 'Notifications marked read by this call.' }) marked: number;
}

export interface InboxRow {
  id: string;
  kind: NotificationKind;
  created_at: Date;
  read_at: Date | null;
  /** Where the case is now (or, without a case, the table it was about). */
  table_id: string | null;
  case_id: string | null;
  case_reference: string | null;
  resource_type: NotificationResource | null;
  resource_id: string | null;
  link: string | null;
  due_date: string | null;
  subject_id: string | null;
  v_number: string | null;
  cursor_at: string;
}

/**
 * Whether the reader may see what the notification is about: seated at its table (`granted` is undefined
 * otherwise), and granted its category. A notice about no table and no case, of no category (a webhook
 * delivery of the reader's organisation that failed), holds nothing of anyone's case: its recipient sees it
 * whole. The e-mail channel decides with the same rule when it sends.
 */
export function isVisible(row: Pick<InboxRow, 'kind' | 'table_id' | 'case_id'>, granted: ReadonlySet<CategoryName> | undefined): boolean {
  const category = NOTIFICATION_CATEGORY[row.kind];
  if (category === undefined) return false;
  if (row.table_id === null && row.case_id === null) return category === null;
  if (!granted) return false;
  return category === null || granted.has(category);
}

export function inboxItemView(row: InboxRow, granted: ReadonlySet<CategoryName> | undefined): Partial<InboxItemView> {
  const base = { id: row.id, kind: row.kind, createdAt: row.created_at.toISOString(), readAt: row.read_at?.toISOString() ?? null };
  if (!isVisible(row, granted)) return disclose(InboxItemView, base, new Set());
  return disclose(
    InboxItemView,
    {
      ...base,
      tableId: row.table_id ?? undefined,
      caseId: row.case_id ?? undefined,
      caseReference: row.case_reference ?? undefined,
      resourceType: row.resource_type ?? undefined,
      resourceId: row.resource_id ?? undefined,
      link: row.link ?? undefined,
      dueDate: row.resource_type === 'action' || row.resource_type === 'escalation' ? row.due_date : undefined,
    },
    granted ?? new Set(),
  );
}
