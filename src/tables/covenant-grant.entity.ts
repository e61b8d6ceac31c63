import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { OrganisationType } from '../auth/permissions';
import type { Category, LawfulGround } from '../sharing/categories';

/** "Organisation type X may see category Y at this table, on this legal basis." */
@Entity('covenant_grant')
export class CovenantGrant {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) covenantVersionId: string;
  @Column({ type: 'text' }) organisationType: OrganisationType;
  @Column({ type: 'text' }) category: Category;
  @Column({ type: 'text' }) lawfulGround: LawfulGround;
  @Column({ type: 'text' }) legalBasis: string;
  @Column({ type: 'uuid' }) processingActivityId: string;
}
