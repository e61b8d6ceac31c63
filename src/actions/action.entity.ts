import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Category, NotPersonal } from '../sharing/disclosure';

export const ACTION_STATUSES = ['open', 'done', 'cancelled'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** An agreed task on a case ("which action by whom"). Overdue is derived: open and past its due date. */
@Entity('action')
export class Action {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) caseId: string;
  @Category('deliberation') @Column({ type: 'uuid' }) ownerOrganisationId: string;
  @Category('deliberation') @Column({ type: 'uuid', nullable: true }) ownerUserId: string | null;
  @Category('deliberation') @Column({ type: 'text' }) description: string;
  @Category('deliberation') @Column({ type: 'date' }) dueDate: string;
  @Category('deliberation') @Column({ type: 'text', default: 'open' }) status: ActionStatus;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) resultNote: string | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Category('deliberation') @Column({ type: 'timestamptz', nullable: true }) completedAt: Date | null;
  /** Where it was agreed. */
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) meetingId: string | null;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) agendaItemId: string | null;
  /** Times a review found it not acted on (counts in statistics). */
  @Category('deliberation') @Column({ type: 'integer', default: 0 }) notActedOnCount: number;
  /** The owner's request to re-plan, decided by the table. */
  @Category('deliberation') @Column({ type: 'timestamptz', nullable: true }) replanRequestedAt: Date | null;
  @Category('deliberation') @Column({ type: 'date', nullable: true }) replanRequestedDueDate: string | null;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) replanReason: string | null;
  @NotPersonal() @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
