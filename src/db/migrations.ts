import { CreateIdentity1763900000000 } from '../../migrations/1763900000000-create-identity';
import { CreateTablesAndCases1763900100000 } from '../../migrations/1763900100000-create-tables-and-cases';
import { CreateProcessingAndAuditLogs1763900200000 } from '../../migrations/1763900200000-create-processing-and-audit-logs';
import { CreateMeetings1763900300000 } from '../../migrations/1763900300000-create-meetings';
import { AddActionCaseIndex1764000000000 } from '../../migrations/1764000000000-add-action-case-index';
import { RequireAgendaReasonCategories1764000100000 } from '../../migrations/1764000100000-require-agenda-reason-categories';
import { CreateLogVerification1764000200000 } from '../../migrations/1764000200000-create-log-verification';
import { AddEscalationWorkflow1764000300000 } from '../../migrations/1764000300000-add-escalation-workflow';
import { CreateIndDecisions1764000400000 } from '../../migrations/1764000400000-create-ind-decisions';
import { CreateNotifications1764000500000 } from '../../migrations/1764000500000-create-notifications';
import { CreateReminderSettings1764000600000 } from '../../migrations/1764000600000-create-reminder-settings';
import { CreateEmailDeliveries1764000700000 } from '../../migrations/1764000700000-create-email-deliveries';
import { CreateWebhooks1764000800000 } from '../../migrations/1764000800000-create-webhooks';
import { AddDataSubjectRights1764001000000 } from '../../migrations/1764001000000-add-data-subject-rights';
import { RestrictAuditPurposes1764001100000 } from '../../migrations/1764001100000-restrict-audit-purposes';
import { CompleteProcessingRegister1764001110000 } from '../../migrations/1764001110000-complete-processing-register';
import { CreateAuditLogDetail1764001120000 } from '../../migrations/1764001120000-create-audit-log-detail';
import { CreateContactCards1764001130000 } from '../../migrations/1764001130000-create-contact-cards';
import { AddStatisticsColumns1764001200000 } from '../../migrations/1764001200000-add-statistics-columns';
import { AddCasePageIndex1765000000000 } from '../../migrations/1765000000000-add-case-page-index';
import { AddIncidentCaseRecordedIndex1765000200000 } from '../../migrations/1765000200000-add-incident-case-recorded-index';
import { AddActionDueDateIndex1765000300000 } from '../../migrations/1765000300000-add-action-due-date-index';
import { AddRowVersions1766000400000 } from '../../migrations/1766000400000-add-row-versions';
import { AddMeetingReferenceIndexes1765000400000 } from '../../migrations/1765000400000-add-meeting-reference-indexes';
import { AddApiClientKeys1766000000000 } from '../../migrations/1766000000000-add-api-client-keys';
import { AddListPageIndexes1766000100000 } from '../../migrations/1766000100000-add-list-page-indexes';
import { AddCaseSortKeys1766000200000 } from '../../migrations/1766000200000-add-case-sort-keys';

/** Every migration in order. Listed by hand so that the app, the CLI and Jest run the same set. */
export const MIGRATIONS = [
  CreateIdentity1763900000000,
  CreateTablesAndCases1763900100000,
  CreateProcessingAndAuditLogs1763900200000,
  CreateMeetings1763900300000,
  AddActionCaseIndex1764000000000,
  RequireAgendaReasonCategories1764000100000,
  CreateLogVerification1764000200000,
  AddEscalationWorkflow1764000300000,
  CreateIndDecisions1764000400000,
  CreateNotifications1764000500000,
  CreateReminderSettings1764000600000,
  CreateEmailDeliveries1764000700000,
  CreateWebhooks1764000800000,
  AddDataSubjectRights1764001000000,
  RestrictAuditPurposes1764001100000,
  CompleteProcessingRegister1764001110000,
  CreateAuditLogDetail1764001120000,
  CreateContactCards1764001130000,
  AddStatisticsColumns1764001200000,
  AddCasePageIndex1765000000000,
  AddIncidentCaseRecordedIndex1765000200000,
  AddActionDueDateIndex1765000300000,
  AddMeetingReferenceIndexes1765000400000,
  AddApiClientKeys1766000000000,
  AddListPageIndexes1766000100000,
  AddCaseSortKeys1766000200000,
  AddRowVersions1766000400000,
];
