import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Category as CategoryName } from '../sharing/categories';
import { Category, NotPersonal, PER_RECORD } from '../sharing/disclosure';

export const DEADLINE_KINDS = ['departure_period_end', 'procedure_decision', 'other'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];
export const DEADLINE_CATEGORY: Record<DeadlineKind, CategoryName> = {
  departure_period_end: 'return',
  procedure_decision: 'procedure',
  other: 'deliberation',
};

/** An external deadline, such as the end of the legal departure period. Category by kind. */
@Entity('case_deadline')
export class CaseDeadline {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) caseId: string;
  @Category(PER_RECORD) @Column({ type: 'text' }) kind: DeadlineKind;
  @Category(PER_RECORD) @Column({ type: 'date' }) dueDate: string;
  @Category(PER_RECORD) @Column({ type: 'text', nullable: true }) note: string | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
