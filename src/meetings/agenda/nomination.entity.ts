import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Category, NotPersonal } from '../../sharing/disclosure';

@Entity('nomination')
export class Nomination {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) tableId: string;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) meetingId: string | null;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) caseId: string | null;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) topic: string | null;
  @Category('deliberation') @Column({ type: 'text' }) reasonCode: string;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) reasonText: string | null;
  @NotPersonal() @Column({ type: 'text' }) source: 'member' | 'list';
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) listImportId: string | null;
  @NotPersonal() @Column({ type: 'uuid' }) organisationId: string;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) userId: string | null;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) clientId: string | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
