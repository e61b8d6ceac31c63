import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Category, NotPersonal } from '../sharing/disclosure';

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
  @Category('deliberation') @Column({ type: 'timestamptz' }) openedAt: Date;
  @Category('deliberation') @Column({ type: 'timestamptz', nullable: true }) closedAt: Date | null;
  /** Its personal data erased (retention or art. 17 AVG); what remains are aggregates, no longer linked to the person. */
  @NotPersonal() @Column({ type: 'timestamptz', nullable: true }) erasedAt: Date | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
