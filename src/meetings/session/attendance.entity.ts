import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Which member organisations were present. Not personal data: organisations, not people. */
@Entity('attendance')
export class Attendance {
  @PrimaryColumn({ type: 'uuid' }) meetingId: string;
  @PrimaryColumn({ type: 'uuid' }) organisationId: string;
  @Column({ type: 'boolean' }) present: boolean;
  @Column({ type: 'text', nullable: true }) note: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) recordedAt: Date;
}
