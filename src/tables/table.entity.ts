import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type HolidayPolicy = 'skip' | 'next_working_day' | 'previous_working_day';

/** A Lokaal Ketenoverleg (LKO / casusoverleg): a standing case conference. Holds no personal data. */
@Entity('chain_table')
export class ChainTable {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) coaLocation: string;
  @Column({ type: 'text' }) municipalityCode: string;
  /** RFC 5545 RRULE, interpreted in Europe/Amsterdam. */
  @Column({ type: 'text' }) cadenceRrule: string;
  @Column({ type: 'text', default: 'skip' }) holidayPolicy: HolidayPolicy;
  @Column({ type: 'integer', default: 24 }) retentionMonths: number;
  /** Prefix of case references, e.g. HWK → HWK-2026-0001. */
  @Column({ type: 'text' }) caseReferencePrefix: string;
  @Column({ type: 'uuid', nullable: true }) currentCovenantVersionId: string | null;
  @Column({ type: 'boolean', default: true }) active: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
