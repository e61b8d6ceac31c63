/** The problem `code`s of the privacy officer's module: one code per meaning, stable for clients. */
export enum PrivacyError {
  /** No person with this V-number is held (or they were erased). */
  SubjectUnknown = 'subject_unknown',
  AlreadyRestricted = 'already_restricted',
  NotRestricted = 'not_restricted',
  /** A case of the person is under a legal hold that has not ended: nothing is erased. */
  LegalHoldStands = 'legal_hold_stands',
  /** A hold stands on the case already; lift it first to set another. */
  LegalHoldExists = 'legal_hold_exists',
  LegalHoldLifted = 'legal_hold_lifted',
  /** The case's personal data was erased already: a hold has nothing left to keep. */
  CaseAlreadyErased = 'case_already_erased',
  /** A rectification that names no field to change. */
  NothingToRectify = 'nothing_to_rectify',
}
