import { ApiClient } from '../auth/api-client.entity';
import { ActionReview } from '../actions/action-review.entity';
import { Action } from '../cases/action.entity';
import { Escalation } from '../escalations/escalation.entity';
import { AgendaItem, Attendance, CalendarFeedToken, ListImport, Meeting, MinutesAddendum, Nomination } from '../meetings/meeting.entity';
import { AuthSession, RefreshToken } from '../auth/session.entity';
import { CaseDeadline, CaseFile, CaseStatusChange, CaseStrategy, CaseTransfer } from '../cases/case.entity';
import { Incident } from '../cases/incident.entity';
import { Measure } from '../cases/measure.entity';
import { Subject } from '../cases/subject.entity';
import { Organisation } from '../organisations/organisation.entity';
import { CovenantGrant, CovenantVersion, ProcessingActivity } from '../tables/covenant.entity';
import { ChainTable, TableMemberOrganisation, TableMembership } from '../tables/table.entity';
import { User } from '../users/user.entity';

/** Entities that hold case content: every column must carry @Category or @NotPersonal (schema test). */
export const CASE_CONTENT_ENTITIES = [
  Subject, CaseFile, CaseStatusChange, CaseStrategy, CaseDeadline, CaseTransfer, Incident, Measure, Action,
  Meeting, ListImport, Nomination, AgendaItem, MinutesAddendum, ActionReview, Escalation,
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
];
