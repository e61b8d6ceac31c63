import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Category } from '../sharing/categories';
import type { DataSubjectCategory } from './register-entries';

/**
 * An entry of the table's register of processing activities (one per category). Legal bases and recipients
 * come from the covenant in force, the retention from the table (ProcessingRegisterService).
 */
@Entity('processing_activity')
export class ProcessingActivity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tableId: string;
  @Column({ type: 'text' }) category: Category;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) purpose: string;
  @Column({ type: 'text', array: true }) dataSubjectCategories: DataSubjectCategory[];
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
