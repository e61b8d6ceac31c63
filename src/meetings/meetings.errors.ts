/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum MeetingError {
  CadenceUnreadable = 'cadence_unreadable',
  TableInactive = 'table_inactive',
  IllegalMeetingStatus = 'illegal_meeting_status',
}
