/** The union of every module's error-code enum (types only, so no module imports another at run time). */
import type { AuthError } from '../auth/auth.errors';
import type { SharingError } from '../sharing/sharing.errors';
import type { TableError } from '../tables/tables.errors';
import type { OrganisationError } from '../organisations/organisation.errors';
import type { UserError } from '../users/user.errors';
import type { CaseError } from '../cases/cases.errors';
import type { MeetingError } from '../meetings/meetings.errors';
import type { AgendaError } from '../meetings/agenda/agenda.errors';
import type { SessionError } from '../meetings/session/session.errors';
import type { MinutesError } from '../meetings/minutes/minutes.errors';
import type { ActionError } from '../actions/actions.errors';
import type { EscalationError } from '../escalations/escalations.errors';
import type { OperationsError } from '../health/operations.errors';
import type { WebhookError } from '../webhooks/webhooks.errors';
import type { PrivacyError } from '../privacy/privacy.errors';

export type ModuleErrorCode =
  | AuthError
  | SharingError
  | TableError
  | OrganisationError
  | UserError
  | CaseError
  | MeetingError
  | AgendaError
  | SessionError
  | MinutesError
  | ActionError
  | EscalationError
  | OperationsError
  | WebhookError
  | PrivacyError
;
