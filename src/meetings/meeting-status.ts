import { HttpStatus } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainException } from '../common/problem';
import type { MeetingStatus } from './meeting.entity';

/** planned → agenda_published → in_session → closed; planned or published meetings may be cancelled. */
export const MEETING_TRANSITIONS: Record<MeetingStatus, readonly MeetingStatus[]> = {
  planned: ['agenda_published', 'cancelled'],
  agenda_published: ['in_session', 'cancelled', 'agenda_published'],
  in_session: ['closed'],
  closed: [],
  cancelled: [],
};

export interface LockedMeeting {
  id: string;
  table_id: string;
  status: MeetingStatus;
  scheduled_at: Date;
}

/** Locks the meeting row for the rest of the transaction and returns it (undefined if it does not exist). */
export async function lockMeeting(m: EntityManager, meetingId: string): Promise<LockedMeeting | undefined> {
  const [row] = await m.query(`SELECT id, table_id, status, scheduled_at FROM meeting WHERE id = $1 FOR UPDATE`, [meetingId]);
  return row;
}

/** Refuses (409, nothing changed) unless the meeting is in one of `allowed`. */
export function requireMeetingStatus(meeting: LockedMeeting, allowed: readonly MeetingStatus[], action: string): void {
  if (!allowed.includes(meeting.status)) {
    throw new DomainException(HttpStatus.CONFLICT, 'illegal_meeting_status', `Cannot ${action} a meeting that is ${meeting.status}.`, {
      meetingStatus: meeting.status,
      allowed,
    });
  }
}

/** Moves a locked meeting to `to`, if MEETING_TRANSITIONS allows it; 409 otherwise. */
export async function transitionMeeting(m: EntityManager, meeting: LockedMeeting, to: MeetingStatus, extraSet = '', extraParams: unknown[] = []): Promise<void> {
  if (!MEETING_TRANSITIONS[meeting.status].includes(to)) {
    throw new DomainException(HttpStatus.CONFLICT, 'illegal_meeting_transition', `A meeting cannot go from ${meeting.status} to ${to}.`, {
      fromStatus: meeting.status,
      toStatus: to,
      allowed: MEETING_TRANSITIONS[meeting.status],
    });
  }
  await m.query(`UPDATE meeting SET status = $2, updated_at = now()${extraSet} WHERE id = $1`, [meeting.id, to, ...extraParams]);
  meeting.status = to;
}
