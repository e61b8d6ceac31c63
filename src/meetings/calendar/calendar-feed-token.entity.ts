import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

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
