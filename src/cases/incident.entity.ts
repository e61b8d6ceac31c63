import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Category as CategoryName } from '../sharing/categories';
import { Category, NotPersonal, PER_RECORD } from '../sharing/disclosure';

export const INCIDENT_KINDS = [
  'theft', 'shoplifting', 'violence', 'threat', 'vandalism', 'public_nuisance', 'fare_dodging', 'house_rule_breach',
  'measure_violation', 'other',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export const INCIDENT_CLASSIFICATIONS = ['nuisance', 'offence'] as const;
export type IncidentClassification = (typeof INCIDENT_CLASSIFICATIONS)[number];
export const SEVERITIES = ['minor', 'serious', 'severe'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const VICTIM_KINDS = ['resident', 'staff_public_duty', 'neighbour', 'shop', 'transport', 'other'] as const;
export type VictimKind = (typeof VICTIM_KINDS)[number];

/** nuisance → category `incidents`; offence (a suspected criminal offence, art. 10 AVG) → `criminal`. */
export const incidentCategory = (classification: IncidentClassification): CategoryName =>
  classification === 'offence' ? 'criminal' : 'incidents';

/** A registered event (incident / melding). Every field's category follows the classification. */
@Entity('incident')
export class Incident {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) caseId: string;
  @NotPersonal() @Column({ type: 'uuid' }) sourceOrganisationId: string;
  @Category(PER_RECORD) @Column({ type: 'text' }) kind: IncidentKind;
  @Category(PER_RECORD) @Column({ type: 'text' }) classification: IncidentClassification;
  @Category(PER_RECORD) @Column({ type: 'text' }) severity: Severity;
  @Category(PER_RECORD) @Column({ type: 'timestamptz' }) occurredAt: Date;
  @Category(PER_RECORD) @Column({ type: 'text', nullable: true }) place: string | null;
  @Category(PER_RECORD) @Column({ type: 'text', nullable: true }) description: string | null;
  /** Aangifte: a formal criminal complaint was filed. */
  @Category(PER_RECORD) @Column({ type: 'boolean', default: false }) reportedToPolice: boolean;
  @Category(PER_RECORD) @Column({ type: 'text', nullable: true }) victimKind: VictimKind | null;
  /** The source organisation's own id for it; unique per source organisation (idempotent pushes). */
  @NotPersonal() @Column({ type: 'text', nullable: true }) externalReference: string | null;
  /** Hash of the pushed body, to tell a repeated push from a conflicting one. */
  @NotPersonal() @Column({ type: 'text', nullable: true }) requestHash: string | null;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) recordedByUserId: string | null;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) recordedByClientId: string | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
