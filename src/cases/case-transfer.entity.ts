import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Category, NotPersonal } from '../sharing/disclosure';

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
