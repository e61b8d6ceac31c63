import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Category, NotPersonal, PER_RECORD } from '../sharing/disclosure';

export const MEETING_STATUSES = ['planned', 'agenda_published', 'in_session', 'closed', 'cancelled'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

/** One sitting of a table (bijeenkomst). Holds no personal data until closed (the frozen minutes). */
@Entity('meeting')
export class Meeting {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) tableId: string;
  @NotPersonal() @Column({ type: 'timestamptz' }) scheduledAt: Date;
  /** The cadence occurrence this meeting was generated for; null for a meeting the chair added. */
  @NotPersonal() @Column({ type: 'timestamptz', nullable: true }) cadenceSlot: Date | null;
  @NotPersonal() @Column({ type: 'text', default: 'planned' }) status: MeetingStatus;
  @NotPersonal() @Column({ type: 'text', nullable: true }) location: string | null;
  @NotPersonal() @Column({ type: 'timestamptz', nullable: true }) agendaDraftedAt: Date | null;
  @NotPersonal() @Column({ type: 'timestamptz', nullable: true }) agendaPublishedAt: Date | null;
  @NotPersonal() @Column({ type: 'timestamptz', nullable: true }) openedAt: Date | null;
  @NotPersonal() @Column({ type: 'timestamptz', nullable: true }) closedAt: Date | null;
  @NotPersonal() @Column({ type: 'text', nullable: true }) cancelledReason: string | null;
  /** Frozen at closing; every field inside carries its category and is disclosed per viewer when read. */
  @Category(PER_RECORD) @Column({ type: 'jsonb', nullable: true }) minutes: unknown;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

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

export interface AgendaReason {
  /** e.g. escalation_proposed, severe_incident, overdue_actions, new_case, new_incidents, actions_due, review_due, nominated */
  code: string;
  detail?: string;
}

@Entity('agenda_item')
export class AgendaItem {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) meetingId: string;
  @NotPersonal() @Column({ type: 'integer' }) position: number;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) caseId: string | null;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) topic: string | null;
  @Category('deliberation') @Column({ type: 'jsonb', default: () => "'[]'" }) reasons: AgendaReason[];
  @Category('deliberation') @Column({ type: 'text', nullable: true }) decisionText: string | null;
  @Category('deliberation') @Column({ type: 'text', nullable: true }) outcome: 'discussed' | 'postponed' | 'escalated' | 'closed_case' | null;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) strategyId: string | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

/** Which member organisations were present. Not personal data: organisations, not people. */
@Entity('attendance')
export class Attendance {
  @PrimaryColumn({ type: 'uuid' }) meetingId: string;
  @PrimaryColumn({ type: 'uuid' }) organisationId: string;
  @Column({ type: 'boolean' }) present: boolean;
  @Column({ type: 'text', nullable: true }) note: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) recordedAt: Date;
}

/** A correction or addition to closed minutes; the minutes themselves never change. */
@Entity('minutes_addendum')
export class MinutesAddendum {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  @NotPersonal() @Column({ type: 'uuid' }) meetingId: string;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) agendaItemId: string | null;
  @Category('deliberation') @Column({ type: 'text' }) text: string;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
}

/** A per-user secret URL for an iCalendar feed; revocable. Feeds carry case references only. */
@Entity('calendar_feed_token')
export class CalendarFeedToken {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'text' }) kind: 'table' | 'organisation';
  @Column({ type: 'uuid', nullable: true }) tableId: string | null;
  @Column({ type: 'bytea', select: false }) tokenHash: Buffer;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}
