import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/**
 * A table's public contact card (meldkaart): contact points of services for shopkeepers and neighbours.
 * No personal data: the points are services (validated by the API), and `updated_by` is never published.
 */
export class CreateContactCards1764001130000 implements MigrationInterface {
  name = 'CreateContactCards1764001130000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contact_card (
        table_id uuid NOT NULL,
        heading text NOT NULL,
        introduction text,
        contact_points jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid,
        CONSTRAINT contact_card_pkey PRIMARY KEY (table_id),
        CONSTRAINT contact_card_table_fkey FOREIGN KEY (table_id) REFERENCES chain_table (id),
        CONSTRAINT contact_card_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES app_user (id),
        CONSTRAINT contact_card_contact_points_check CHECK (jsonb_typeof(contact_points) = 'array' AND jsonb_array_length(contact_points) BETWEEN 1 AND 20)
      )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON contact_card TO ${APP_GROUP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE contact_card`);
  }
}
