import { HttpStatus } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { DomainException, notFound, ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import type { CaseAccess } from '../sharing/access.service';
import type { Category } from '../sharing/categories';
import { categoryTags } from '../sharing/disclosure';
import { CaseFile } from './case.entity';
import { Subject } from './subject.entity';
import { CaseError } from './cases.errors';

/** The user behind a request, for `changed_by` columns; partner systems have none. */
export const actorUserId = (ctx: RequestContext): string | null => (ctx.principal.kind === 'user' ? ctx.principal.id : null);

export const invalidField = (name: string, reason: string) => new ValidationProblem([{ name, reason }]);

export const openCaseExists = (detail: string, extensions: Record<string, unknown> = {}) =>
  new DomainException(HttpStatus.CONFLICT, CaseError.OpenCaseExists, detail, extensions);

/** The partial unique index is the last line against a race the row locks did not cover. */
export function mapOpenCaseViolation(e: unknown): unknown {
  const constraint = e instanceof QueryFailedError ? (e.driverError as { constraint?: string }).constraint : undefined;
  return constraint === 'case_file_open_subject_key' ? openCaseExists('The person already has an open case at that table.') : e;
}

/**
 * A case that moved to another table between the access check and the row lock is no longer the caller's:
 * answer as if it did not exist.
 */
export function requireStillAt(access: CaseAccess, row: { tableId: string } | { table_id: string } | undefined): void {
  const tableId = row && ('tableId' in row ? row.tableId : row.table_id);
  if (tableId !== access.tableId) throw notFound('Case');
}

export const SUBJECT_FIELDS = ['familyName', 'givenNames', 'dateOfBirth', 'nationality', 'receptionLocation'] as const;
export const CASE_FIELDS = ['riskLevel', 'reviewDate', 'coordinatorOrganisationId', 'coordinatorUserId', 'procedureStage', 'indPriority', 'careNotes'] as const;

/** The fields of `keys` that the body sets (null included: clearing a field writes it too). */
export function pick<T extends object, K extends keyof T & string>(body: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (body[k] !== undefined) out[k] = body[k];
  return out;
}

/**
 * The categories a write touches, read from the entities' own tags so that a field's category is stated
 * in one place only (the column definition).
 */
export function categoriesWritten(body: object): Category[] {
  const subjectTags = categoryTags(Subject);
  const caseTags = categoryTags(CaseFile);
  const touched = new Set<Category>();
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    const tag = key === 'strategy' ? 'deliberation' : (subjectTags.get(key) ?? caseTags.get(key));
    if (!tag || tag === 'per_record') throw new Error(`no category known for the case field ${key}`);
    touched.add(tag);
  }
  return [...touched];
}

export const union = (...lists: Category[][]): Category[] => [...new Set(lists.flat())];
