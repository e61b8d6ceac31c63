import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { NotPersonal } from '../../sharing/disclosure';

export const LIST_KINDS = ['dtv_caseload', 'coa_residents', 'top_x', 'intake_transfer_outflow'] as const;
export type ListKind = (typeof LIST_KINDS)[number];

/** A partner's list (DT&V caseload, COA residents, Top-X, intake/transfer/outflow) submitted for a table. */
@Entity('list_import')
export class ListImport {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) tableId: string;
  @NotPersonal() @Column({ type: 'text' }) kind: ListKind;
  @NotPersonal() @Column({ type: 'uuid' }) organisationId: string;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) submittedByUserId: string | null;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) submittedByClientId: string | null;
  @NotPersonal() @Column({ type: 'text' }) contentHash: string;
  @NotPersonal() @Column({ type: 'integer' }) lineCount: number;
  /** Per line: the outcome, with case ids and line numbers only (never the V-numbers). */
  @NotPersonal() @Column({ type: 'jsonb' }) report: unknown;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
