/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum OrganisationError {
  NameTaken = 'organisation_name_taken',
}
