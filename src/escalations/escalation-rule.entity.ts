import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { NotPersonal } from '../sharing/disclosure';
import { ESCALATION_TRACKS, type EscalationTrack } from './escalation.entity';

/**
 * What a rule watches (DOMAIN.md section 6). Each is evaluated in the transaction that records its fact:
 * - `incident_count`: `threshold` or more incidents on the case that occurred within `windowDays` days;
 * - `severe_incident`: any incident of severity `severe`;
 * - `staff_public_duty_incident`: any incident against staff on public duty (VPT);
 * - `action_not_acted_on`: an action a review found not acted on `threshold` times.
 */
export const ESCALATION_RULE_KINDS = ['incident_count', 'severe_incident', 'staff_public_duty_incident', 'action_not_acted_on'] as const;
export type EscalationRuleKind = (typeof ESCALATION_RULE_KINDS)[number];

/** Which parameters each kind takes, with their bounds (the database checks the same). */
export const RULE_PARAMETERS: Record<EscalationRuleKind, { threshold?: [number, number]; windowDays?: [number, number] }> = {
  incident_count: { threshold: [2, 100], windowDays: [1, 365] },
  severe_incident: {},
  staff_public_duty_incident: {},
  action_not_acted_on: { threshold: [1, 20] },
};

export interface RuleDefinition {
  kind: EscalationRuleKind;
  track: EscalationTrack;
  threshold: number | null;
  windowDays: number | null;
}

/** The rules a new table (and the demo table) starts with; the chair changes them. */
export const DEFAULT_ESCALATION_RULES: readonly RuleDefinition[] = [
  { kind: 'incident_count', track: 'coa_ladder', threshold: 3, windowDays: 30 },
  { kind: 'severe_incident', track: 'htl_placement', threshold: null, windowDays: null },
  { kind: 'staff_public_duty_incident', track: 'htl_placement', threshold: null, windowDays: null },
  { kind: 'action_not_acted_on', track: 'chain_marine', threshold: 2, windowDays: null },
];

/** Working days the target has to answer a requested escalation, per track, unless the table set its own. */
export const DEFAULT_RESPONSE_WORKING_DAYS: Record<EscalationTrack, number> = Object.fromEntries(
  Object.keys(ESCALATION_TRACKS).map((track) => [track, 5]),
) as Record<EscalationTrack, number>;

export const DEFAULT_DEPARTURE_INTERVIEW = { enabled: true, workingDays: 2 } as const;

/** A table's escalation rule: configuration, no personal data. */
@Entity('escalation_rule')
export class EscalationRule {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) tableId: string;
  @NotPersonal() @Column({ type: 'text' }) kind: EscalationRuleKind;
  @NotPersonal() @Column({ type: 'text' }) track: EscalationTrack;
  @NotPersonal() @Column({ type: 'integer', nullable: true }) threshold: number | null;
  @NotPersonal() @Column({ type: 'integer', nullable: true }) windowDays: number | null;
  @NotPersonal() @Column({ type: 'boolean', default: true }) active: boolean;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

/** The defaults a table changed: response deadlines per track and the departure interview automation. */
@Entity('table_escalation_settings')
export class TableEscalationSettings {
  @NotPersonal() @PrimaryColumn({ type: 'uuid' }) tableId: string;
  @NotPersonal() @Column({ type: 'jsonb', default: {} }) responseWorkingDays: Partial<Record<EscalationTrack, number>>;
  @NotPersonal() @Column({ type: 'boolean', default: true }) departureInterviewEnabled: boolean;
  @NotPersonal() @Column({ type: 'integer', default: 2 }) departureInterviewWorkingDays: number;
  @NotPersonal() @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
