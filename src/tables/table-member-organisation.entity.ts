import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An organisation's seat at a table; `leftAt` keeps the history. */
@Entity('table_member_organisation')
export class TableMemberOrganisation {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tableId: string;
  @Column({ type: 'uuid' }) organisationId: string;
  @Column({ type: 'timestamptz' }) joinedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) leftAt: Date | null;
}
