import { PageViewOf } from '../common/pagination';
import { disclose, NotPersonal } from '../sharing/disclosure';
import type { Category } from '../sharing/categories';
import { MEETING_STATUSES, MeetingStatus } from './meeting.entity';

/** A meeting as the API shows it. A meeting holds no personal data; the tags still say so, field by field. */
export class MeetingView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid' }) tableId: string;
  @NotPersonal({ format: 'date-time' }) scheduledAt: string;
  @NotPersonal({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The cadence occurrence the meeting was generated for (it stays when the meeting is moved); null for a meeting the chair added.',
  })
  cadenceSlot: string | null;
  @NotPersonal({ enum: MEETING_STATUSES }) status: MeetingStatus;
  @NotPersonal({ type: String, nullable: true }) location: string | null;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) agendaPublishedAt: string | null;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) openedAt: string | null;
  @NotPersonal({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
  @NotPersonal({ type: String, nullable: true }) cancelledReason: string | null;
  @NotPersonal({ type: 'integer', description: 'Agenda items.' }) itemCount: number;
}

export const MeetingPage = PageViewOf(MeetingView, 'MeetingPage');

export interface MeetingRow {
  id: string;
  table_id: string;
  scheduled_at: Date;
  cadence_slot: Date | null;
  status: MeetingStatus;
  location: string | null;
  agenda_published_at: Date | null;
  opened_at: Date | null;
  closed_at: Date | null;
  cancelled_reason: string | null;
  item_count: number;
}

const instant = (d: Date | null) => d?.toISOString() ?? null;

export function meetingView(row: MeetingRow, granted: ReadonlySet<Category>): Partial<MeetingView> {
  return disclose(
    MeetingView,
    {
      id: row.id,
      tableId: row.table_id,
      scheduledAt: row.scheduled_at.toISOString(),
      cadenceSlot: instant(row.cadence_slot),
      status: row.status,
      location: row.location,
      agendaPublishedAt: instant(row.agenda_published_at),
      openedAt: instant(row.opened_at),
      closedAt: instant(row.closed_at),
      cancelledReason: row.cancelled_reason,
      itemCount: row.item_count,
    },
    granted,
  );
}
