import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Category, NotPersonal } from '../../sharing/disclosure';

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
