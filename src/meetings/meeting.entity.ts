import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
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
