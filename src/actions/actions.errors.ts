/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum ActionError {
  AlreadyReviewed = 'action_already_reviewed',
  NotOpen = 'action_not_open',
  NotOwnerOrganisation = 'not_owner_organisation',
}
