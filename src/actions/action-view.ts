import { ACTION_STATUSES, type ActionStatus } from './action.entity';
import { workingDaysBetween } from '../common/working-days';
import type { Category as CategoryName } from '../sharing/categories';
import { Category, disclose, NotPersonal } from '../sharing/disclosure';
import { REVIEW_OUTCOMES, type ReviewOutcome } from './action-review.entity';
import type { ActionReviewRow, ActionRow } from './action.repository';
import { isOverdue } from './overdue';

/** An agreed action as the viewer may see it: everything about it is the table's deliberation. */
export class ActionView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid' }) caseId: string;
  @NotPersonal({ example: 'HWK-2026-0001' }) caseReference: string;
  @NotPersonal({ format: 'uuid', description: 'The table the case is discussed at now.' }) tableId: string;
  @NotPersonal({ type: String, format: 'uuid', nullable: true, description: 'The meeting where it was agreed.' }) meetingId: string | null;
  @Category('deliberation', { format: 'uuid' }) ownerOrganisationId: string;
  @Category('deliberation', { type: String, description: "The owner organisation's name as it was when the minutes were frozen (in the minutes only)." })
  ownerOrganisationName?: string;
  @Category('deliberation', { type: String, format: 'uuid', nullable: true }) ownerUserId: string | null;
  @Category('deliberation') description: string;
  @Category('deliberation', { format: 'date' }) dueDate: string;
  @Category('deliberation', { enum: ACTION_STATUSES }) status: ActionStatus;
  @Category('deliberation', { description: 'Open and past its due date (Europe/Amsterdam); derived, never stored.' }) overdue: boolean;
  @Category('deliberation', { type: 'integer', description: 'Working days (Dutch public holidays excluded) past the due date; 0 when not overdue.' })
  workingDaysOverdue: number;
  @Category('deliberation', { type: String, nullable: true }) resultNote: string | null;
  @Category('deliberation', { type: String, format: 'date-time', nullable: true }) completedAt: string | null;
  @Category('deliberation', { type: 'integer', description: 'Times a review found it not acted on.' }) notActedOnCount: number;
  @Category('deliberation', { type: String, format: 'date-time', nullable: true, description: "The owner's pending request to re-plan; the table decides at the next review." })
  replanRequestedAt: string | null;
  @Category('deliberation', { type: String, format: 'date', nullable: true }) replanRequestedDueDate: string | null;
  @Category('deliberation', { type: String, nullable: true }) replanReason: string | null;
}

export class ActionPageView {
  @NotPersonal({ type: () => ActionView, isArray: true, description: 'Each item disclosed under the covenant of its table.' }) items: Partial<ActionView>[];
  @NotPersonal({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' }) nextCursor: string | null;
}

export class ActionReviewView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid' }) actionId: string;
  @NotPersonal({ format: 'uuid' }) meetingId: string;
  @Category('deliberation', { type: String, description: "The reviewed action's description as it was when the minutes were frozen (in the minutes only)." })
  actionDescription?: string;
  @Category('deliberation', { enum: REVIEW_OUTCOMES }) outcome: ReviewOutcome;
  @Category('deliberation', { type: String, nullable: true }) reason: string | null;
  @Category('deliberation', { type: String, format: 'date', nullable: true }) newDueDate: string | null;
  @NotPersonal({ format: 'date-time' }) createdAt: string;
  @Category('deliberation', { type: () => ActionView, required: false, description: 'The action as the review left it (in answer to the review only).' })
  action?: Partial<ActionView>;
}

const iso = (v: Date | null): string | null => (v === null ? null : new Date(v).toISOString());

/** `today` is passed in so that one response judges every action against the same date. */
export function actionView(r: ActionRow, granted: ReadonlySet<CategoryName>, today: string): Partial<ActionView> {
  const overdue = isOverdue(r, today);
  return disclose(
    ActionView,
    {
      id: r.id,
      caseId: r.case_id,
      caseReference: r.case_reference,
      tableId: r.table_id,
      meetingId: r.meeting_id,
      ownerOrganisationId: r.owner_organisation_id,
      ownerUserId: r.owner_user_id,
      description: r.description,
      dueDate: r.due_date,
      status: r.status,
      overdue,
      workingDaysOverdue: overdue ? workingDaysBetween(r.due_date, today) : 0,
      resultNote: r.result_note,
      completedAt: iso(r.completed_at),
      notActedOnCount: r.not_acted_on_count,
      replanRequestedAt: iso(r.replan_requested_at),
      replanRequestedDueDate: r.replan_requested_due_date,
      replanReason: r.replan_reason,
    },
    granted,
  );
}

export function reviewView(r: ActionReviewRow, granted: ReadonlySet<CategoryName>, today: string, action?: ActionRow): Partial<ActionReviewView> {
  return disclose(
    ActionReviewView,
    {
      id: r.id,
      actionId: r.action_id,
      meetingId: r.meeting_id,
      outcome: r.outcome,
      reason: r.reason,
      newDueDate: r.new_due_date,
      createdAt: iso(r.created_at)!,
      action: action && actionView(action, granted, today),
    },
    granted,
  );
}
