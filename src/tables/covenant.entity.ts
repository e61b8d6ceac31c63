import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One saved state of a table's covenant. Never edited: a change saves a new version. */
@Entity('covenant_version')
export class CovenantVersion {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tableId: string;
  @Column({ type: 'integer' }) version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ type: 'text' }) changeNote: string;
}
