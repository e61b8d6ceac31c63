import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { amsterdamDate } from '../common/working-days';
import { AgendaDraftService, newSystemTraceId } from '../meetings/agenda/agenda-draft.service';
import { MeetingRepository } from '../meetings/meeting.repository';
import { NotificationKind } from '../notifications/notification-kind';
import { NotificationService } from '../notifications/notification.service';
import { isDue } from './reminder-calendar';
import { draftCause } from './reminder-occasion';
import { ReminderRepository } from './reminder.repository';

export type ScheduledDraftResult =
  | { status: 'drafted'; itemCount: number; notifications: number }
  /** The chair (or an earlier run) drafted it already; a drafted agenda is the chair's to redo, never the schedule's. */
  | { status: 'already_drafted' }
  /** No longer planned (published, cancelled, ...), gone, or its table is inactive. */
  | { status: 'stale' }
  /** Not in its draft window today (moved, or the table changed its setting since the sweep). */
  | { status: 'not_due' };

/**
 * The draft agenda assembled by the schedule (DOMAIN.md section 4.3): the table's draft working days (default
 * 2) before each planned meeting, only if nobody drafted it yet. In one transaction, under the meeting's row
 * lock: re-check, draft (logged as an operation of the system), and tell the table's chair. The notice names
 * the meeting only; the chair reads the agenda under their own covenant.
 */
@Injectable()
export class ScheduledDraftService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly meetings: MeetingRepository,
    private readonly drafts: AgendaDraftService,
    private readonly repository: ReminderRepository,
    private readonly notifications: NotificationService,
    private readonly clock: Clock,
  ) {}

  async draft(meetingId: string): Promise<ScheduledDraftResult> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const meeting = await this.meetings.lock(m, meetingId);
      if (!meeting || meeting.status !== 'planned' || !(await this.repository.isTableActive(m, meeting.table_id))) return { status: 'stale' };
      if ((await this.meetings.findById(m, meetingId))!.agenda_drafted_at) return { status: 'already_drafted' };
      const { agendaDraftWorkingDays } = await this.repository.settingsOf(m, meeting.table_id);
      const scheduledAt = new Date(meeting.scheduled_at);
      if (scheduledAt <= this.clock.now() || !isDue(this.clock.today(), amsterdamDate(scheduledAt), agendaDraftWorkingDays, 'before')) {
        return { status: 'not_due' };
      }

      const summary = await this.drafts.draftLocked(m, meeting, { traceId: newSystemTraceId() }, startedAt);
      const chair = await this.notifications.audience(m, meeting.table_id, { roles: ['chair'] });
      const notifications = await this.notifications.notify(m, {
        recipients: chair.users,
        organisations: chair.organisations,
        cause: draftCause(meeting.id),
        kind: NotificationKind.AgendaDrafted,
        tableId: meeting.table_id,
        resource: { type: 'meeting', id: meeting.id },
        link: `/api/v1/meetings/${meeting.id}/agenda`,
      });
      return { status: 'drafted', itemCount: summary.itemCount, notifications };
    });
  }
}
