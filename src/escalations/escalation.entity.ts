import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { OrganisationType } from '../auth/permissions';
import { Category, NotPersonal } from '../sharing/disclosure';

/** DOMAIN.md section 6: the tracks a table can escalate to, and who is asked. */
export const ESCALATION_TRACKS = {
  ind_priority: 'IND',
  htl_placement: 'COA',
  pbl_placement: 'COA',
  coa_ladder: 'COA',
  ttov_referral: 'DTV',
  top_x: 'MUNICIPALITY',
  chain_marine: 'CHAIN_MARINE',
} as const satisfies Record<string, OrganisationType>;
export type EscalationTrack = keyof typeof ESCALATION_TRACKS;
export const ESCALATION_STATUSES = ['proposed', 'requested', 'accepted', 'rejected', 'completed', 'withdrawn'] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];

@Entity('escalation')
export class Escalation {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) caseId: string;
  @Category('deliberation') @Column({ type: 'text' }) track: EscalationTrack;
  @Category('deliberation') @Column({ type: 'text' }) targetOrganisationType: OrganisationType;
  @Category('deliberation') @Column({ type: 'uuid' }) requestedByOrganisationId: string;
  @Category('deliberation') @Column({ type: 'text', default: 'proposed' }) status: EscalationStatus;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) meetingId: string | null;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) agendaItemId: string | null;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) reason: string | null;
  @Category('deliberation') @Column({ type: 'date', nullable: true }) responseDueDate: string | null;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) outcome: string | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
