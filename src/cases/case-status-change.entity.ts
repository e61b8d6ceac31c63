import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CaseStatus } from './case.entity';
import { Category, NotPersonal } from '../sharing/disclosure';

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
