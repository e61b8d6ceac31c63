import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Category as CategoryName } from '../sharing/categories';
import { Category, NotPersonal, PER_RECORD } from '../sharing/disclosure';

export const CASE_STATUSES = ['intake', 'active', 'monitoring', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** intake → active → monitoring → closed; monitoring may return to active; a closed case may be reopened to active. */
export const CASE_TRANSITIONS: Record<CaseStatus, readonly CaseStatus[]> = {
  intake: ['active', 'closed'],
  active: ['monitoring', 'closed'],
  monitoring: ['active', 'closed'],
  closed: ['active'],
};

/** A casus: one person discussed at one table. */
@Entity('case_file')
export class CaseFile {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) tableId: string;
  @NotPersonal() @Column({ type: 'uuid' }) subjectId: string;
  /** Human-readable reference (HWK-2026-0001); the only thing e-mails and calendars carry. */
  @NotPersonal() @Column({ type: 'text' }) reference: string;
  @Category('deliberation') @Column({ type: 'text', default: 'intake' }) status: CaseStatus;
  @Category('deliberation') @Column({ type: 'text', default: 'medium' }) riskLevel: RiskLevel;
  @Category('deliberation') @Column({ type: 'uuid', nullable: true }) coordinatorOrganisationId: string | null;
  @Category('deliberation') @Column({ type: 'uuid', nullable: true }) coordinatorUserId: string | null;
  @Category('deliberation') @Column({ type: 'date', nullable: true }) reviewDate: string | null;
  @Category('procedure') @Column({ type: 'text', nullable: true }) procedureStage: string | null;
  @Category('procedure') @Column({ type: 'boolean', default: false }) indPriority: boolean;
  @Category('care') @Column({ type: 'text', nullable: true }) careNotes: string | null;
  @NotPersonal() @Column({ type: 'boolean', default: false }) legalHold: boolean;
  @Category('deliberation') @Column({ type: 'timestamptz' }) openedAt: Date;
  @Category('deliberation') @Column({ type: 'timestamptz', nullable: true }) closedAt: Date | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

@Entity('case_status_change')
export class CaseStatusChange {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) caseId: string;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) fromStatus: CaseStatus | null;
  @Category('deliberation') @Column({ type: 'text' }) toStatus: CaseStatus;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) reason: string | null;
  @Category('deliberation') @CreateDateColumn({ type: 'timestamptz' }) changedAt: Date;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) changedBy: string | null;
}

export const STRATEGY_KINDS = ['departure', 'nuisance', 'other'] as const;
export type StrategyKind = (typeof STRATEGY_KINDS)[number];

/** The agreed approach; every revision is kept. */
@Entity('case_strategy')
export class CaseStrategy {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) caseId: string;
  @NotPersonal() @Column({ type: 'integer' }) revision: number;
  @Category('deliberation') @Column({ type: 'text' }) kind: StrategyKind;
  @Category('deliberation') @Column({ type: 'text' }) text: string;
  @Category('deliberation') @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
}

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

/** The person moved to another azc: the case moves to that table; history stays. */
@Entity('case_transfer')
export class CaseTransfer {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) caseId: string;
  @Category('residence') @Column({ type: 'uuid' }) fromTableId: string;
  @Category('residence') @Column({ type: 'uuid' }) toTableId: string;
  @Category('residence') @Column({ type: 'text', nullable: true }) reason: string | null;
  @Category('residence') @CreateDateColumn({ type: 'timestamptz' }) transferredAt: Date;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) transferredBy: string | null;
}
