import { HttpStatus, Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainException, ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { EscalationRuleService } from '../escalations/escalation-rule.service';
import { DomainEventService, DomainEventType } from '../notifications/domain-event.service';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { ReviewActionDto } from './action.dto';
import { ActionRepository, ActionRow } from './action.repository';
import type { AgreedAt } from './action.service';
import { ActionReviewView, reviewView } from './action-view';
import { ActionError } from './actions.errors';
import { Purpose } from '../sharing/purposes';

const alreadyReviewed = () =>
  new DomainException(HttpStatus.CONFLICT, ActionError.AlreadyReviewed, 'This action was reviewed at this meeting already.');

/** The unique key is the last line against a race the meeting lock did not cover. */
const isDuplicateReview = (e: unknown) =>
  e instanceof QueryFailedError && (e.driverError as { constraint?: string }).constraint === 'action_review_action_meeting_key';

/**
 * The table reviews the actions that were open when the meeting opened: done, re-planned or cancelled
 * because circumstances changed, or not acted on (it stays open, visible as such, and counts in statistics).
 */
@Injectable()
export class ActionReviewService {
  constructor(
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
    private readonly actions: ActionRepository,
    private readonly rules: EscalationRuleService,
    private readonly clock: Clock,
  ) {}

  /** Runs in the session's transaction, with the meeting row locked. */
  async review(m: EntityManager, ctx: RequestContext, at: AgreedAt & { openedAt: Date }, dto: ReviewActionDto): Promise<Partial<ActionReviewView>> {
    const startedAt = this.clock.now();
    const action = await this.actions.lock(m, dto.actionId);
    if (!action || action.case_id !== at.access.caseId) {
      throw new ValidationProblem([{ name: 'actionId', reason: "is not an action of this item's case" }]);
    }
    if (await this.actions.findReview(m, action.id, at.meetingId)) throw alreadyReviewed();
    if (!wasOpenAt(action, at.openedAt)) {
      throw new ValidationProblem([{ name: 'actionId', reason: 'was not open when the meeting opened' }]);
    }
    // Done since the meeting opened (the owner reported it): the table may still confirm it, nothing else.
    if (action.status !== 'open' && !(action.status === 'done' && dto.outcome === 'done')) {
      throw new DomainException(HttpStatus.CONFLICT, ActionError.NotOpen, `The action is ${action.status}; only the outcome done can be recorded.`, {
        actionStatus: action.status,
      });
    }
    await this.actions.applyReview(m, action.id, dto.outcome, dto.newDueDate ?? null, this.clock.now());
    const review = await this.actions
      .insertReview(m, {
        actionId: action.id,
        meetingId: at.meetingId,
        outcome: dto.outcome,
        reason: dto.reason ?? null,
        newDueDate: dto.newDueDate ?? null,
        userId: ctx.principal.kind === 'user' ? ctx.principal.id : null,
      })
      .catch((e: unknown) => {
        throw isDuplicateReview(e) ? alreadyReviewed() : e;
      });
    await this.events.raise(m, {
      type: DomainEventType.ActionReviewed,
      tableId: at.access.tableId,
      aggregateType: 'action',
      aggregateId: action.id,
      payload: { actionId: action.id, caseReference: action.case_reference, meetingId: at.meetingId, outcome: dto.outcome },
    });
    if (dto.outcome === 'not_acted_on') await this.rules.onActionNotActedOn(m, ctx, at.access, action.not_acted_on_count + 1);
    await this.log.record(m, ctx, at.access, {
      operation: 'action.review',
      activityCategory: 'deliberation',
      categories: ['deliberation'],
      subjects: [{ subjectId: at.access.subjectId, vNumber: at.access.vNumber }],
      purpose: Purpose.ActionFollowUp,
      startedAt,
    });
    return reviewView(review, at.access.categories, this.clock.today(), (await this.actions.findById(m, action.id))!);
  }
}

/** Agreed before the meeting opened, and not closed before it either. */
function wasOpenAt(action: ActionRow, openedAt: Date): boolean {
  if (action.created_at >= openedAt) return false;
  return action.status === 'open' || (action.completed_at !== null && action.completed_at >= openedAt);
}
