import { CommonError } from './problem';
import { AuthError } from '../auth/auth.errors';
import { SharingError } from '../sharing/sharing.errors';
import { TableError } from '../tables/tables.errors';
import { OrganisationError } from '../organisations/organisation.errors';
import { UserError } from '../users/user.errors';
import { CaseError } from '../cases/cases.errors';
import { MeetingError } from '../meetings/meetings.errors';
import { AgendaError } from '../meetings/agenda/agenda.errors';
import { SessionError } from '../meetings/session/session.errors';
import { MinutesError } from '../meetings/minutes/minutes.errors';
import { ActionError } from '../actions/actions.errors';
import { EscalationError } from '../escalations/escalations.errors';
import { OperationsError } from '../health/operations.errors';
import { WebhookError } from '../webhooks/webhooks.errors';
import { PrivacyError } from '../privacy/privacy.errors';

/** Every module's error-code enum: a code means one thing, so no two members anywhere share a value. */
const ENUMS: Record<string, Record<string, string>> = { CommonError, AuthError, SharingError, TableError, OrganisationError, UserError, CaseError, MeetingError, AgendaError, SessionError, MinutesError, ActionError, EscalationError, OperationsError, WebhookError, PrivacyError };

describe('problem codes', () => {
  it('are unique across every module, snake_case, and one per meaning', () => {
    const owners = new Map<string, string[]>();
    for (const [name, e] of Object.entries(ENUMS)) {
      for (const [member, code] of Object.entries(e)) {
        expect({ member: `${name}.${member}`, code }).toEqual({ member: `${name}.${member}`, code: expect.stringMatching(/^[a-z]+(_[a-z]+)*$/) });
        owners.set(code, [...(owners.get(code) ?? []), `${name}.${member}`]);
      }
    }
    expect([...owners].filter(([, o]) => o.length > 1)).toEqual([]);
  });

  it('says "status change not allowed" with one code, whatever the resource', () => {
    const transitions = Object.values(ENUMS).flatMap((e) => Object.values(e)).filter((c) => /transition/.test(c));
    expect(transitions).toEqual(['illegal_transition']);
  });
});
