import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { OrganisationType } from '../auth/permissions';
import type { Category, LawfulGround } from '../sharing/categories';

/** An entry of the table's register of processing activities (one per category). */
@Entity('processing_activity')
export class ProcessingActivity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tableId: string;
  @Column({ type: 'text' }) category: Category;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) purpose: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

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

/** "Organisation type X may see category Y at this table, on this legal basis." */
@Entity('covenant_grant')
export class CovenantGrant {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) covenantVersionId: string;
  @Column({ type: 'text' }) organisationType: OrganisationType;
  @Column({ type: 'text' }) category: Category;
  @Column({ type: 'text' }) lawfulGround: LawfulGround;
  @Column({ type: 'text' }) legalBasis: string;
  @Column({ type: 'uuid' }) processingActivityId: string;
}
