import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { TableRole } from '../auth/permissions';

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

/** An organisation's seat at a table; `leftAt` keeps the history. */
@Entity('table_member_organisation')
export class TableMemberOrganisation {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tableId: string;
  @Column({ type: 'uuid' }) organisationId: string;
  @Column({ type: 'timestamptz' }) joinedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) leftAt: Date | null;
}

/** A person's role at a table. A change (e.g. a new chair) ends the row and starts a new one. */
@Entity('table_membership')
export class TableMembership {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tableId: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'text' }) role: TableRole;
  @Column({ type: 'timestamptz' }) startedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) endedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) changedBy: string | null;
}
