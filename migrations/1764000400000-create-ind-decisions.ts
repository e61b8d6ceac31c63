import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_GROUP_ROLE } from '../src/db/app-role';

/**
 * IND decisions on the asylum application (category procedure), and the chain automation they start: a
 * negative decision gets a departure interview (vertrekgesprek) of DT&V as an action on the case. The same
 * decision recorded twice is one row, and a decision starts at most one action: both are unique keys.
 */
export class CreateIndDecisions1764000400000 implements MigrationInterface {
  name = 'CreateIndDecisions1764000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ind_decision (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL,
        outcome text NOT NULL,
        decided_on date NOT NULL,
        recorded_by_organisation_id uuid NOT NULL,
        recorded_by_user_id uuid,
        recorded_by_client_id uuid,
        departure_action_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ind_decision_pkey PRIMARY KEY (id),
        CONSTRAINT ind_decision_case_fkey FOREIGN KEY (case_id) REFERENCES case_file (id),
        CONSTRAINT ind_decision_organisation_fkey FOREIGN KEY (recorded_by_organisation_id) REFERENCES organisation (id),
        CONSTRAINT ind_decision_departure_action_fkey FOREIGN KEY (departure_action_id) REFERENCES action (id),
        CONSTRAINT ind_decision_outcome_check CHECK (outcome IN ('negative','positive')),
        CONSTRAINT ind_decision_departure_action_check CHECK (departure_action_id IS NULL OR outcome = 'negative'),
        CONSTRAINT ind_decision_case_outcome_decided_on_key UNIQUE (case_id, outcome, decided_on),
        CONSTRAINT ind_decision_departure_action_key UNIQUE (departure_action_id)
      )`);
    // A decision is never edited; only its departure action is linked once that action exists.
    await q.query(`GRANT SELECT, INSERT ON ind_decision TO ${APP_GROUP_ROLE}`);
    await q.query(`GRANT UPDATE (departure_action_id) ON ind_decision TO ${APP_GROUP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ind_decision`);
  }
}
