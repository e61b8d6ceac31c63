import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Category, NotPersonal } from '../sharing/disclosure';

export const REVIEW_OUTCOMES = ['done', 'replanned', 'cancelled_circumstances', 'not_acted_on'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/** How the table reviewed an open action at a meeting. */
@Entity('action_review')
export class ActionReview {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) actionId: string;
  @NotPersonal() @Column({ type: 'uuid' }) meetingId: string;
  @Category('deliberation') @Column({ type: 'text' }) outcome: ReviewOutcome;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) reason: string | null;
  @Category('deliberation') @Column({ type: 'date', nullable: true }) newDueDate: string | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
}
