/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum EscalationError {
  NotTargetOrganisation = 'not_target_organisation',
}
