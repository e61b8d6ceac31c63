import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Jwks } from './client-keys';
import { ApiScope } from './permissions';

/** How a client authenticates at the token endpoint (RFC 7591 names). Both secret methods accept either way of sending the secret. */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

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

  /** SHA-256 of the client secret; null for a private_key_jwt client, which has no secret. */
  @Column({ type: 'text', select: false, nullable: true })
  secretHash: string | null;

  @Column({ type: 'text', default: 'client_secret_basic' })
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;

  /** The public keys of a private_key_jwt client; null for a secret client. */
  @Column({ type: 'jsonb', nullable: true })
  jwks: Jwks | null;

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
