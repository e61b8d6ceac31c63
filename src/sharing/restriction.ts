import { HttpStatus } from '@nestjs/common';
import { Permission } from '../auth/permissions';
import { DomainException } from '../common/problem';
import { SharingError } from './sharing.errors';

/**
 * Restriction of processing (art. 18 AVG) and erased cases, as the one access decision applies them.
 *
 * A person's processing is restricted while `subject.restricted_at` is set: the data stays stored, and
 * nobody at a table reads or writes it. AccessService refuses every operation on a case of that person, and
 * on anything of such a case (incidents, measures, actions, escalations, deadlines, its agenda items), with
 * this one problem, after the membership check (so that a non-member still learns nothing, not even this).
 * Lists, agendas, sessions, minutes and worklists leave the case out or show it as restricted, without a
 * personal field; the queries that build them use `notRestricted` below.
 */
export const subjectRestricted = () =>
  new DomainException(HttpStatus.CONFLICT, SharingError.SubjectRestricted, 'This record is restricted: it is stored, but it cannot be read or changed now.');

export const caseErased = () =>
  new DomainException(HttpStatus.CONFLICT, SharingError.CaseErased, 'The personal data of this case was erased: it can be read as it remains, not changed.');

/** SQL: the subject `alias` (a subject row or a case's subject_id column, see below) is not restricted. */
export const subjectNotRestricted = (subjectAlias: string) => `${subjectAlias}.restricted_at IS NULL`;

/** SQL: the case whose subject id is `subjectIdSql` is not restricted (for queries that do not join the subject). */
export const notRestricted = (subjectIdSql: string) =>
  `NOT EXISTS (SELECT 1 FROM subject rs WHERE rs.id = ${subjectIdSql} AND rs.restricted_at IS NOT NULL)`;

/**
 * The permissions that only read. On an erased case these are still allowed (what remains: statuses,
 * dates, kinds, the table's deliberation); every other operation is refused with `case_erased`.
 */
export const READ_PERMISSIONS: ReadonlySet<Permission> = new Set([
  Permission.CaseRead,
  Permission.IncidentRead,
  Permission.MeasureRead,
  Permission.ActionRead,
  Permission.EscalationRead,
  Permission.MeetingRead,
  Permission.MinutesRead,
]);
