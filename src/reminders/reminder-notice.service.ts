import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { Audience, NotificationInput, NotificationService, RecipientQuery } from '../notifications/notification.service';
import { isDue } from './reminder-calendar';
import { OCCASIONS, Occasion, occasionCause } from './reminder-occasion';
import { ActionNoticeTarget, EscalationNoticeTarget, ReminderRepository } from './reminder.repository';

const API = '/api/v1';

export type NoticeResult =
  | { status: 'sent'; recipients: number; notifications: number }
  /** Handled before (by an earlier run of this job, another worker, a second sweep). */
  | { status: 'already_handled' }
  /** What it was about changed: the action is done or has another due date, the escalation was answered, ... */
  | { status: 'stale' }
  /** Not (or no longer) due today, e.g. the table changed its setting since the sweep. */
  | { status: 'not_due' };

/** Only organisations the covenant grants the table's deliberation: that an action or escalation exists is deliberation. */
const DELIBERATION = { category: 'deliberation' } as const;

/** One entity's occasion in a batch: the entity and the date (due date or deadline) it was found due for. */
export interface NoticeItem {
  entityId: string;
  date: string;
}

/**
 * Occasions of actions or escalations (see Occasion), a batch of one kind at a time: re-checked in one
 * transaction, under a share lock on their rows, and written through NotificationService.notifyMany() with
 * a cause per entity that names it and its date, together with the marks in `reminder_occasion` that they
 * were handled. A batch run twice, or two at once, writes each notification once: the notifications are
 * unique on (recipient, cause), and the marks (checked first, inserted last) let a rerun stop before it
 * calls the channels again. A few statements per batch, whatever its size: this is what lets 100,000
 * actions falling due at once be told within a minute or so (bench/fanout.ts).
 */
@Injectable()
export class ReminderNoticeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: ReminderRepository,
    private readonly notifications: NotificationService,
    private readonly clock: Clock,
  ) {}

  /** One entity's occasion, on its own (the retry of an entity whose batch failed). */
  async send(occasion: Occasion, entityId: string, date: string): Promise<NoticeResult> {
    const [result] = await this.sendMany(occasion, [{ entityId, date }]);
    return result;
  }

  /** The occasions of `items`, in one transaction; a result per item, in their order. */
  async sendMany(occasion: Occasion, items: NoticeItem[]): Promise<NoticeResult[]> {
    const spec = OCCASIONS[occasion];
    return this.dataSource.transaction(async (m) => {
      const ids = [...new Set(items.map((i) => i.entityId))];
      const targets: (ActionNoticeTarget | EscalationNoticeTarget)[] =
        spec.entity === 'action' ? await this.repository.lockActionsForNotice(m, ids) : await this.repository.lockEscalationsForNotice(m, ids);
      const byId = new Map(targets.map((t) => [t.id, t]));
      const settings = await this.repository.settingsOfMany(m, [...new Set(targets.map((t) => t.table_id))]);
      const handled = await this.repository.handledCauses(m, items.map((i) => occasionCause(occasion, i.entityId, i.date)));
      const today = this.clock.today();

      const results: NoticeResult[] = [];
      const due: { index: number; target: ActionNoticeTarget | EscalationNoticeTarget; cause: string }[] = [];
      const seen = new Set<string>();
      items.forEach((item, index) => {
        const target = byId.get(item.entityId);
        const cause = occasionCause(occasion, item.entityId, item.date);
        if (!target || target.date !== item.date) return void (results[index] = { status: 'stale' });
        const workingDays = spec.setting ? settings.get(target.table_id)![spec.setting] : spec.fixedWorkingDays;
        if (!isDue(today, item.date, workingDays, spec.direction)) return void (results[index] = { status: 'not_due' });
        if (handled.has(cause) || seen.has(cause)) return void (results[index] = { status: 'already_handled' });
        seen.add(cause);
        due.push({ index, target, cause });
      });

      // Many entities share an audience (the same owner organisation at the same table): asked once each.
      const audiences = new Map<string, Promise<Audience>>();
      const audienceOf = (target: ActionNoticeTarget | EscalationNoticeTarget) => {
        const key = audienceKey(occasion, target);
        if (!audiences.has(key)) audiences.set(key, this.audienceOf(m, occasion, target));
        return audiences.get(key)!;
      };
      const notices: NotificationInput[] = [];
      const marks: { cause: string; tableId: string; recipientCount: number }[] = [];
      for (const { index, target, cause } of due) {
        // One statement at a time on the transaction's connection: awaited in turn.
        const audience = await audienceOf(target);
        const about =
          spec.entity === 'action'
            ? { resource: { type: 'action' as const, id: target.id }, link: `${API}/actions/${target.id}` }
            : { resource: { type: 'escalation' as const, id: target.id }, link: `${API}/escalations/${target.id}` };
        notices.push({
          recipients: audience.users,
          organisations: audience.organisations,
          cause,
          kind: spec.kind,
          tableId: target.table_id,
          case: { id: target.case_id, reference: target.reference },
          ...about,
        });
        marks.push({ cause, tableId: target.table_id, recipientCount: audience.users.length });
        results[index] = { status: 'sent', recipients: audience.users.length, notifications: 0 };
      }
      const written = await this.notifications.notifyManyCounted(m, notices);
      due.forEach(({ index }, i) => ((results[index] as { notifications: number }).notifications = written[i]));
      await this.repository.markHandled(m, marks, this.clock.now());
      return results;
    });
  }

  /** Who is told, as DOMAIN.md section 8 says; always among those at the table now whom the covenant grants deliberation. */
  private async audienceOf(m: EntityManager, occasion: Occasion, target: ActionNoticeTarget | EscalationNoticeTarget): Promise<Audience> {
    const at = (q: RecipientQuery) => this.notifications.audience(m, target.table_id, { ...q, ...DELIBERATION });
    const owners = () => {
      const action = target as ActionNoticeTarget;
      return at({ organisationIds: [action.owner_organisation_id], userIds: action.owner_user_id ? [action.owner_user_id] : [] });
    };
    const chair = () => at({ roles: ['chair'] });
    const chainMarine = () => at({ organisationTypes: ['CHAIN_MARINE'] });
    switch (occasion) {
      case Occasion.ActionDue:
        return owners();
      case Occasion.ActionOverdue:
        return merge(await owners(), await chair());
      case Occasion.ActionOverdueAlert:
        return chainMarine();
      case Occasion.EscalationDue:
        return at({ organisationTypes: [(target as EscalationNoticeTarget).target_organisation_type] });
      case Occasion.EscalationOverdue:
        return merge(await chair(), await chainMarine());
    }
  }
}

/** What an occasion's audience depends on besides the occasion: the table and the owners or target type. */
function audienceKey(occasion: Occasion, target: ActionNoticeTarget | EscalationNoticeTarget): string {
  if (OCCASIONS[occasion].entity === 'escalation') return `${target.table_id}|${(target as EscalationNoticeTarget).target_organisation_type}`;
  const action = target as ActionNoticeTarget;
  return `${target.table_id}|${action.owner_organisation_id}|${action.owner_user_id ?? ''}`;
}

function merge(...audiences: Audience[]): Audience {
  const sorted = (ids: string[]) => [...new Set(ids)].sort();
  return { users: sorted(audiences.flatMap((a) => a.users)), organisations: sorted(audiences.flatMap((a) => a.organisations)) };
}
