import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Category } from '../sharing/categories';

/** An entry of the table's register of processing activities (one per category). */
@Entity('processing_activity')
export class ProcessingActivity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tableId: string;
  @Column({ type: 'text' }) category: Category;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) purpose: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
