import { ApiClient } from '../auth/api-client.entity';
import { ActionReview } from '../actions/action-review.entity';
import { Action } from '../actions/action.entity';
import { Escalation, EscalationEvent } from '../escalations/escalation.entity';
import { EscalationRule, TableEscalationSettings } from '../escalations/escalation-rule.entity';
import { AgendaItem } from '../meetings/agenda/agenda-item.entity';
import { Attendance } from '../meetings/session/attendance.entity';
import { CalendarFeedToken } from '../meetings/calendar/calendar-feed-token.entity';
import { ListImport } from '../meetings/agenda/list-import.entity';
import { Meeting } from '../meetings/meeting.entity';
import { MinutesAddendum } from '../meetings/minutes/minutes-addendum.entity';
import { Nomination } from '../meetings/agenda/nomination.entity';
import { AuthSession } from '../auth/session.entity';
import { RefreshToken } from '../auth/refresh-token.entity';
import { CaseDeadline } from '../cases/case-deadline.entity';
import { CaseFile } from '../cases/case.entity';
import { CaseStatusChange } from '../cases/case-status-change.entity';
import { CaseStrategy } from '../cases/case-strategy.entity';
import { CaseTransfer } from '../cases/case-transfer.entity';
import { IndDecision } from '../cases/ind-decision.entity';
import { Incident } from '../cases/incident.entity';
import { Measure } from '../cases/measure.entity';
import { Subject } from '../cases/subject.entity';
import { Organisation } from '../organisations/organisation.entity';
import { CovenantGrant } from '../tables/covenant-grant.entity';
import { CovenantVersion } from '../tables/covenant.entity';
import { ProcessingActivity } from '../tables/processing-activity.entity';
import { ChainTable } from '../tables/table.entity';
import { TableMemberOrganisation } from '../tables/table-member-organisation.entity';
import { TableMembership } from '../tables/table-membership.entity';
import { User } from '../users/user.entity';
import { DataSubjectRequest } from '../privacy/data-subject-request.entity';
import { LegalHold } from '../privacy/legal-hold.entity';

/** Entities that hold case content: every column must carry @Category or @NotPersonal (schema test). */
export const CASE_CONTENT_ENTITIES = [
  Subject, CaseFile, CaseStatusChange, CaseStrategy, CaseDeadline, CaseTransfer, Incident, Measure, Action,
  Meeting, ListImport, Nomination, AgendaItem, MinutesAddendum, ActionReview, Escalation,
  EscalationEvent, IndDecision, LegalHold, DataSubjectRequest,
];

export const ENTITIES = [
  Organisation,
  User,
  AuthSession,
  RefreshToken,
  ApiClient,
  ChainTable,
  TableMemberOrganisation,
  TableMembership,
  ProcessingActivity,
  CovenantVersion,
  CovenantGrant,
  ...CASE_CONTENT_ENTITIES,
  Attendance,
  CalendarFeedToken,
  EscalationRule,
  TableEscalationSettings,
];
