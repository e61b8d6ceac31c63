import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Category, NotPersonal } from '../sharing/disclosure';

/** The person (vreemdeling), one per V-number across all tables. No field for ethnicity or religion, ever. */
@Entity('subject')
export class Subject {
  @NotPersonal() @PrimaryGeneratedColumn('uuid') id: string;
  /** Vreemdelingennummer: 10 digits. */
  @Category('identity') @Column({ type: 'text' }) vNumber: string;
  @Category('identity') @Column({ type: 'text', nullable: true }) familyName: string | null;
  @Category('identity') @Column({ type: 'text', nullable: true }) givenNames: string | null;
  @Category('identity') @Column({ type: 'date', nullable: true }) dateOfBirth: string | null;
  /** ISO 3166-1 alpha-3. */
  @Category('identity') @Column({ type: 'text', nullable: true }) nationality: string | null;
  @Category('residence') @Column({ type: 'text', nullable: true }) receptionLocation: string | null;
  /** Processing restricted (art. 18 AVG): the data is stored, nobody at a table reads or writes it. */
  @NotPersonal() @Column({ type: 'timestamptz', nullable: true }) restrictedAt: Date | null;
  /** Erased (art. 17 AVG or retention): the identity fields are empty and the V-number is a placeholder. */
  @NotPersonal() @Column({ type: 'timestamptz', nullable: true }) erasedAt: Date | null;
  @NotPersonal() @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @NotPersonal() @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
