import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Category, NotPersonal } from '../sharing/disclosure';

/**
 * A legal hold on a case: while it stands (not lifted, end date not passed), neither the retention sweep nor
 * an erasure request erases anything of the case. Set and lifted by the privacy officer; lifting is recorded.
 */
@Entity('legal_hold')
export class LegalHold {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) caseId: string;
  @Category('deliberation') @Column({ type: 'text' }) reason: string;
  /** The last day (Europe/Amsterdam) the hold stands. */
  @NotPersonal() @Column({ type: 'date' }) endsOn: string;
  @NotPersonal() @Column({ type: 'uuid' }) setByUserId: string;
  @NotPersonal() @Column({ type: 'timestamptz' }) setAt: Date;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) liftedByUserId: string | null;
  @NotPersonal() @Column({ type: 'timestamptz', nullable: true }) liftedAt: Date | null;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) liftReason: string | null;
}
