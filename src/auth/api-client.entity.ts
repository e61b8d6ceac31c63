import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ApiScope } from './permissions';

/** A partner organisation's system, authenticating with OAuth2 client credentials. */
@Entity('api_client')
export class ApiClient {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  organisationId: string;

  @Column({ type: 'text' })
  name: string;

  /** The public identifier used as OAuth2 `client_id`. */
  @Column({ type: 'text' })
  clientId: string;

  @Column({ type: 'text', select: false })
  secretHash: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: ApiScope[];

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  /** Access tokens issued before this instant are refused (set when the client is disabled). */
  @Column({ type: 'timestamptz', nullable: true })
  tokensValidAfter: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
