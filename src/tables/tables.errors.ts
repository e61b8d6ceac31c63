/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum TableError {
  AlreadyMember = 'already_member',
  MembershipEnded = 'membership_ended',
  OrganisationAlreadyMember = 'organisation_already_member',
  OrganisationNotEligible = 'organisation_not_eligible',
  OrganisationNotMember = 'organisation_not_member',
  UserDisabled = 'user_disabled',
  NameTaken = 'table_name_taken',
  CaseReferencePrefixTaken = 'case_reference_prefix_taken',
}
