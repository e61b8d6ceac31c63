import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Category, NotPersonal } from '../sharing/disclosure';

export const IND_DECISION_OUTCOMES = ['negative', 'positive'] as const;
export type IndDecisionOutcome = (typeof IND_DECISION_OUTCOMES)[number];

/** The IND's decision on the asylum application (category procedure). A negative one starts the departure interview. */
@Entity('ind_decision')
export class IndDecision {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) caseId: string;
  @Category('procedure') @Column({ type: 'text' }) outcome: IndDecisionOutcome;
  @Category('procedure') @Column({ type: 'date' }) decidedOn: string;
  @Category('procedure') @Column({ type: 'uuid' }) recordedByOrganisationId: string;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) recordedByUserId: string | null;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) recordedByClientId: string | null;
  /** The DT&V action the chain automation created for a negative decision. */
  @Category('deliberation') @Column({ type: 'uuid', nullable: true }) departureActionId: string | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
