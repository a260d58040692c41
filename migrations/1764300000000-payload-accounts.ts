// The account each stored OIDC artefact belongs to, so that all of an account's sessions, grants and
// tokens can be ended at once (password changed, account disabled, locked or deleted).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PayloadAccounts1764300000000 implements MigrationInterface {
  name = 'PayloadAccounts1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE oidc_payloads ADD COLUMN account_id varchar(200)');
    await q.query('CREATE INDEX idx_oidc_account ON oidc_payloads (account_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX idx_oidc_account');
    await q.query('ALTER TABLE oidc_payloads DROP COLUMN account_id');
  }
}
