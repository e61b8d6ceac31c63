/** The problem `code`s of this module: one code per meaning, stable for clients. */
export enum SharingError {
  ChairOnly = 'chair_only',
  CategoryNotGranted = 'category_not_granted',
  /** The person's processing is restricted (art. 18 AVG): the record is stored, and nothing else is said about it. */
  SubjectRestricted = 'subject_restricted',
  /** The case's personal data was erased: what remains may be read, nothing may be added or changed. */
  CaseErased = 'case_erased',
}
