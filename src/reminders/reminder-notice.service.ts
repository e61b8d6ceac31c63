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

/**
 * One occasion of one action or escalation (see Occasion): re-checked in its own transaction, under a
 * share lock on the row, and written through NotificationService.notify() with a cause that names the entity
 * and its date, together with the mark in `reminder_occasion` that it was handled. A job run twice, or two
 * at once, writes each notification once: the notifications are unique on (recipient, cause), and the mark
 * (checked first, inserted last) lets a rerun stop before it calls the channels again.
 */
@Injectable()
export class ReminderNoticeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: ReminderRepository,
    private readonly notifications: NotificationService,
    private readonly clock: Clock,
  ) {}

  async send(occasion: Occasion, entityId: string, date: string): Promise<NoticeResult> {
    const spec = OCCASIONS[occasion];
    const cause = occasionCause(occasion, entityId, date);
    return this.dataSource.transaction(async (m) => {
      const target =
        spec.entity === 'action' ? await this.repository.lockActionForNotice(m, entityId) : await this.repository.lockEscalationForNotice(m, entityId);
      if (!target || target.date !== date) return { status: 'stale' };
      const settings = await this.repository.settingsOf(m, target.table_id);
      const workingDays = spec.setting ? settings[spec.setting] : spec.fixedWorkingDays;
      if (!isDue(this.clock.today(), date, workingDays, spec.direction)) return { status: 'not_due' };
      if (await this.repository.isHandled(m, cause)) return { status: 'already_handled' };

      const audience = await this.audienceOf(m, occasion, target);
      const about =
        spec.entity === 'action'
          ? { resource: { type: 'action' as const, id: target.id }, link: `${API}/actions/${target.id}` }
          : { resource: { type: 'escalation' as const, id: target.id }, link: `${API}/escalations/${target.id}` };
      const notice: NotificationInput = {
        recipients: audience.users,
        organisations: audience.organisations,
        cause,
        kind: spec.kind,
        tableId: target.table_id,
        case: { id: target.case_id, reference: target.reference },
        ...about,
      };
      const notifications = await this.notifications.notify(m, notice);
      await this.repository.markHandled(m, { cause, tableId: target.table_id, recipientCount: audience.users.length, at: this.clock.now() });
      return { status: 'sent', recipients: audience.users.length, notifications };
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

function merge(...audiences: Audience[]): Audience {
  const sorted = (ids: string[]) => [...new Set(ids)].sort();
  return { users: sorted(audiences.flatMap((a) => a.users)), organisations: sorted(audiences.flatMap((a) => a.organisations)) };
}
