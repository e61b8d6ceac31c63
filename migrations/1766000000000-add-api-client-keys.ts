import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partner systems may authenticate with a signed JWT (private_key_jwt, RFC 7523) instead of a shared secret:
 * the client's registered public keys (a JWKS, public members only) and how it authenticates. A client has
 * either a secret or keys, never both, so a leaked secret cannot stand in for a key (and the reverse).
 */
export class AddApiClientKeys1766000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_client ADD COLUMN token_endpoint_auth_method text NOT NULL DEFAULT 'client_secret_basic'`);
    await q.query(`ALTER TABLE api_client ADD COLUMN jwks jsonb`);
    await q.query(`ALTER TABLE api_client ALTER COLUMN secret_hash DROP NOT NULL`);
    await q.query(
      `ALTER TABLE api_client ADD CONSTRAINT api_client_token_endpoint_auth_method_check
         CHECK (token_endpoint_auth_method IN ('client_secret_basic', 'client_secret_post', 'private_key_jwt'))`,
    );
    await q.query(
      `ALTER TABLE api_client ADD CONSTRAINT api_client_credentials_check CHECK (
         CASE WHEN token_endpoint_auth_method = 'private_key_jwt' THEN jwks IS NOT NULL AND secret_hash IS NULL
              ELSE secret_hash IS NOT NULL AND jwks IS NULL END)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM api_client WHERE secret_hash IS NULL`);
    await q.query(`ALTER TABLE api_client DROP CONSTRAINT api_client_credentials_check`);
    await q.query(`ALTER TABLE api_client DROP CONSTRAINT api_client_token_endpoint_auth_method_check`);
    await q.query(`ALTER TABLE api_client ALTER COLUMN secret_hash SET NOT NULL`);
    await q.query(`ALTER TABLE api_client DROP COLUMN jwks`);
    await q.query(`ALTER TABLE api_client DROP COLUMN token_endpoint_auth_method`);
  }
}
