import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Category, NotPersonal } from '../sharing/disclosure';

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
