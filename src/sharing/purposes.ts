/**
 * Why personal data is processed, as the audit log records it (`audit_log.purpose`): one fixed set of
 * codes, English like every code of the API, each with a Dutch label (PURPOSE_LABELS in
 * src/common/labels.ts) for whoever reads the log. The operation name says what was done; the purpose
 * says why, in words a privacy officer can put in a register or an answer to a data subject. A database
 * CHECK (migration 1764001100000) refuses any other value, so a free-text purpose cannot creep back in.
 */
export enum Purpose {
  /** Registering and opening a case, nominating it, a partner's list, finding whether a person is discussed. */
  CaseIntake = 'case_intake',
  /** The table's case list, nominations, agenda and worklist: getting the meeting ready. */
  CasePreparation = 'case_preparation',
  /** Reading a case and its records to discuss it. */
  CaseDiscussion = 'case_discussion',
  /** Recording and changing the case's records (file building, dossieropbouw). */
  CaseRegistration = 'case_registration',
  /** Handing a case to the table of the subject's new reception location. */
  CaseTransfer = 'case_transfer',
  /** Decisions and agreed actions of the case conference. */
  DecisionRecording = 'decision_recording',
  /** Closing, reading and amending the minutes. */
  Minutes = 'minutes',
  /** Following up agreed actions (also the chain automation and calendar feeds). */
  ActionFollowUp = 'action_follow_up',
  /** Escalations: proposing, requesting, answering, following up. */
  Escalation = 'escalation',
  /** Telling the partners at the table about a case: e-mail, webhooks, the inbox. */
  Notification = 'notification',
  /** The privacy officer's supervision: reading the logs, access reviews. */
  Supervision = 'supervision',
  /** A data subject's request: access, rectification, restriction, erasure. */
  DataSubjectRequest = 'data_subject_request',
  /** Erasing data past the retention period. */
  Retention = 'retention',
  /** Aggregate figures; no personal data in the result. */
  Statistics = 'statistics',
}

export const PURPOSES: readonly Purpose[] = Object.values(Purpose);

const KNOWN: ReadonlySet<string> = new Set(PURPOSES);
export const isPurpose = (value: unknown): value is Purpose => typeof value === 'string' && KNOWN.has(value);
