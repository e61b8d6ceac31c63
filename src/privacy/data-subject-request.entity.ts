import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Category, NotPersonal } from '../sharing/disclosure';

export const REQUEST_KINDS = ['access', 'rectification', 'restriction', 'lifting', 'erasure'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/**
 * A data-subject request the privacy officer handled (art. 15–18 AVG): which kind, the request's reference
 * and reason, who handled it and when, and what it did. The person is named by subject id only, never by
 * V-number; an access request about a V-number nobody holds names no one. Append-only.
 */
@Entity('data_subject_request')
export class DataSubjectRequest {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'text' }) kind: RequestKind;
  /** The request's own reference (e.g. the privacy office's case number); a pattern that cannot hold a name. */
  @NotPersonal() @Column({ type: 'text' }) reference: string;
  /** Why it was handled so; the DTO refuses a V-number in it. The request is the person's own processing record. */
  @Category('deliberation') @Column({ type: 'text' }) reason: string;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) subjectId: string | null;
  @NotPersonal() @Column({ type: 'uuid' }) handledByUserId: string;
  /** The audit and processing logs' operation id of the handling. */
  @NotPersonal() @Column({ type: 'uuid' }) operationId: string;
  /** Counts and ids only (cases erased, records scrubbed, fields rectified by name). */
  @NotPersonal() @Column({ type: 'jsonb', default: {} }) outcome: Record<string, unknown>;
  @NotPersonal() @Column({ type: 'timestamptz' }) handledAt: Date;
}
