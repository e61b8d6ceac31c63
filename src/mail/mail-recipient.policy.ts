import { isVisible } from '../notifications/inbox-view';
import { NOTIFICATION_CATEGORY, NotificationKind } from '../notifications/notification-kind';
import type { Category } from '../sharing/categories';

/** Why an e-mail was not sent on purpose (`email_delivery.skip_reason`). */
export type MailSkipReason =
  /** No SMTP_URL: nothing is sent, and nothing piles up waiting for it. */
  | 'mail_not_configured'
  /** The account is disabled, or its organisation deactivated. */
  | 'recipient_disabled'
  /** Administrators see no case content, wherever they sit. */
  | 'recipient_is_administrator'
  /** No longer seated at the table where the case is now (membership ended, organisation left, case moved, table closed). */
  | 'recipient_not_at_table'
  /** The table's current covenant no longer grants the recipient's organisation the category of the notice. */
  | 'category_not_granted'
  /** The person of the case asked for restriction of processing (art. 18 AVG): their data is only stored. */
  | 'subject_restricted';

/** The recipient and the notice as they are when the e-mail is sent. */
export interface RecipientFacts {
  kind: NotificationKind;
  /** Where the case is now, or the table the notice was about; null for a notice of no table. */
  tableId: string | null;
  caseId: string | null;
  disabled: boolean;
  administrator: boolean;
  /** Holds an active membership of `tableId`, as a user of one of its current member organisations, and the table is active. */
  seated: boolean;
  /** The categories the table's current covenant grants the recipient's organisation. */
  granted: Category[];
  /** The case's person is restricted now (telling anyone about the case would be processing). */
  restricted?: boolean;
}

/**
 * The inbox's rule (src/notifications/inbox-view.ts `isVisible`, with the grants the inbox computes) decided
 * again when the e-mail is sent, since the recipient may have left the table, been disabled or lost the
 * category since the notice was written. An e-mail that may not show what it is about is not sent at all
 * (`skipped` with the reason) rather than sent empty: a message saying only "something happened at a table
 * you left" helps nobody and still tells of activity there. A notice of no table and no case (category
 * null, such as a failed webhook delivery) holds nothing of a case and goes to any active account.
 */
export function mailSkipReason(f: RecipientFacts): MailSkipReason | null {
  if (f.disabled) return 'recipient_disabled';
  if (f.restricted) return 'subject_restricted';
  if (!f.tableId && !f.caseId && NOTIFICATION_CATEGORY[f.kind] === null) return null;
  if (f.administrator) return 'recipient_is_administrator';
  if (!f.tableId || !f.seated) return 'recipient_not_at_table';
  return isVisible({ kind: f.kind, table_id: f.tableId, case_id: f.caseId }, new Set(f.granted)) ? null : 'category_not_granted';
}
