/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum AgendaError {
  ItemInUse = 'agenda_item_in_use',
  ItemsMismatch = 'agenda_items_mismatch',
  NotPublished = 'agenda_not_published',
  AlreadyNominated = 'already_nominated',
  AlreadyOnAgenda = 'already_on_agenda',
  NoPlannedMeeting = 'no_planned_meeting',
}
