import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { OrganisationType } from '../auth/permissions';
import type { Category as CategoryName } from '../sharing/categories';
import { Category, NotPersonal, PER_RECORD } from '../sharing/disclosure';

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
export type EscalationActorKind = 'user' | 'client' | 'system';

@Entity('escalation')
export class Escalation {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) caseId: string;
  @Category('deliberation') @Column({ type: 'text' }) track: EscalationTrack;
  @Category('deliberation') @Column({ type: 'text' }) targetOrganisationType: OrganisationType;
  /** Null for a rule's proposal until the chair requests it. */
  @Category('deliberation') @Column({ type: 'uuid', nullable: true }) requestedByOrganisationId: string | null;
  @Category('deliberation') @Column({ type: 'text', default: 'proposed' }) status: EscalationStatus;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) meetingId: string | null;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) agendaItemId: string | null;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) reason: string | null;
  @Category('deliberation') @Column({ type: 'date', nullable: true }) responseDueDate: string | null;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) outcome: string | null;
  @Category('deliberation') @Column({ type: 'timestamptz', nullable: true }) requestedAt: Date | null;
  /** The rule that proposed it; which rule fired tells of the triggering fact, so it is disclosed under `triggerCategory`. */
  @Category(PER_RECORD) @Column({ type: 'uuid', nullable: true }) ruleId: string | null;
  @NotPersonal() @Column({ type: 'text', nullable: true }) triggerCategory: CategoryName | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

/** One status change of an escalation, kept for its history (append-only). */
@Entity('escalation_event')
export class EscalationEvent {
  @NotPersonal() @PrimaryGeneratedColumn('identity', { type: 'bigint' }) id: string;
  @NotPersonal() @Column({ type: 'uuid' }) escalationId: string;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) fromStatus: EscalationStatus | null;
  @Category('deliberation') @Column({ type: 'text' }) toStatus: EscalationStatus;
  @Category('deliberation') @Column({ type: 'text' }) reason: string;
  @Category('deliberation') @Column({ type: 'text' }) actorKind: EscalationActorKind;
  @Category('deliberation') @Column({ type: 'uuid', nullable: true }) actorOrganisationId: string | null;
  @Category('deliberation') @Column({ type: 'timestamptz' }) at: Date;
}
