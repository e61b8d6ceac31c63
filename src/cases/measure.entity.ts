import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Category, NotPersonal, PER_RECORD } from '../sharing/disclosure';

export const MEASURE_STATUSES = ['planned', 'active', 'ended', 'revoked'] as const;
export type MeasureStatus = (typeof MEASURE_STATUSES)[number];

/** A measure imposed on the subject (maatregel). Its category comes from its type in the catalogue. */
@Entity('measure')
export class Measure {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) caseId: string;
  @Category(PER_RECORD) @Column({ type: 'text' }) type: string;
  @Category(PER_RECORD) @Column({ type: 'uuid' }) imposingOrganisationId: string;
  @Category(PER_RECORD) @Column({ type: 'text' }) legalBasis: string;
  @Category(PER_RECORD) @Column({ type: 'timestamptz' }) startsAt: Date;
  @Category(PER_RECORD) @Column({ type: 'timestamptz', nullable: true }) endsAt: Date | null;
  @Category(PER_RECORD) @Column({ type: 'text', default: 'active' }) status: MeasureStatus;
  @Category(PER_RECORD) @Column({ type: 'text', nullable: true }) note: string | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) createdByUserId: string | null;
}
