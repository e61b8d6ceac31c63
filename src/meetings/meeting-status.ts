import { HttpStatus } from '@nestjs/common';
import { CommonError, conflict, DomainException } from '../common/problem';
import { AgendaError } from './agenda/agenda.errors';
import type { MeetingStatus } from './meeting.entity';
import { MeetingError } from './meetings.errors';

/** planned → agenda_published → in_session → closed; planned or published meetings may be cancelled. */
export const MEETING_TRANSITIONS: Record<MeetingStatus, readonly MeetingStatus[]> = {
  planned: ['agenda_published', 'cancelled'],
  agenda_published: ['in_session', 'cancelled', 'agenda_published'],
  in_session: ['closed'],
  closed: [],
  cancelled: [],
};

/** Refuses (409, nothing changed) unless the meeting is in one of `allowed`. */
export function requireMeetingStatus(meeting: { status: MeetingStatus }, allowed: readonly MeetingStatus[], action: string): void {
  if (!allowed.includes(meeting.status)) {
    throw new DomainException(HttpStatus.CONFLICT, MeetingError.IllegalMeetingStatus, `Cannot ${action} a meeting that is ${meeting.status}.`, {
      meetingStatus: meeting.status,
      allowed,
    });
  }
}

/** Refuses (409) a move to `to` that MEETING_TRANSITIONS does not allow; MeetingRepository.transition applies it. */
export function requireTransition(meeting: { status: MeetingStatus }, to: MeetingStatus): void {
  if (!MEETING_TRANSITIONS[meeting.status].includes(to)) {
    throw new DomainException(HttpStatus.CONFLICT, CommonError.IllegalTransition, `A meeting cannot go from ${meeting.status} to ${to}.`, {
      fromStatus: meeting.status,
      toStatus: to,
      allowed: MEETING_TRANSITIONS[meeting.status],
    });
  }
}

/**
 * Members see what is on a meeting's agenda once it is published; the chair also sees the draft. The agenda
 * and the session screen answer alike.
 */
export function requireAgendaVisible(meeting: { status: MeetingStatus; agenda_published_at?: Date | null }, role: string): void {
  const published = !!meeting.agenda_published_at || ['agenda_published', 'in_session', 'closed'].includes(meeting.status);
  if (!published && role !== 'chair') throw conflict(AgendaError.NotPublished, 'The agenda of this meeting has not been published yet.');
}
