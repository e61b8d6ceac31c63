import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TableRole } from '../auth/permissions';

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
