/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum CaseError {
  AlreadyAtTable = 'already_at_table',
  CaseClosed = 'case_closed',
  ExternalReferenceConflict = 'external_reference_conflict',
  OpenCaseExists = 'open_case_exists',
  NotImposingOrganisation = 'not_imposing_organisation',
  ImposingOrganisationNotMember = 'imposing_organisation_not_member',
  ImposingOrganisationTypeMismatch = 'imposing_organisation_type_mismatch',
}
