import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type SessionRevokedReason = 'logout' | 'refresh_reuse' | 'user_disabled' | 'password_changed' | 'organisation_deactivated' | 'roles_changed' | 'expired';

/** One login; its refresh tokens rotate within it. Revoking it makes its access tokens fail at once. */
@Entity('auth_session')
export class AuthSession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  revokedReason: SessionRevokedReason | null;
}
