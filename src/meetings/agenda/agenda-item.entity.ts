import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Category, NotPersonal, PER_RECORD } from '../../sharing/disclosure';

export interface AgendaReason {
  /** e.g. escalation_proposed, severe_incident, overdue_actions, new_case, new_incidents, actions_due, review_due, nominated */
  code: string;
  detail?: string;
}

@Entity('agenda_item')
export class AgendaItem {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) meetingId: string;
  @NotPersonal() @Column({ type: 'integer' }) position: number;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) caseId: string | null;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) topic: string | null;
  /** Each reason under its own category (see StoredReason); a CHECK constraint requires a known one. */
  @Category(PER_RECORD) @Column({ type: 'jsonb', default: () => "'[]'" }) reasons: AgendaReason[];
  @Category('deliberation') @Column({ type: 'text', nullable: true }) decisionText: string | null;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) outcome: 'discussed' | 'postponed' | 'escalated' | 'closed_case' | null;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) strategyId: string | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
