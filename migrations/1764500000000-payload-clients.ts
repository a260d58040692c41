// The application each stored OIDC artefact was issued to, so that a service account's tokens can be
// revoked when its secret is rotated, and everything of an application when it is deleted.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PayloadClients1764500000000 implements MigrationInterface {
  name = 'PayloadClients1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE oidc_payloads ADD COLUMN client_id varchar(200)');
    await q.query('CREATE INDEX idx_oidc_client ON oidc_payloads (client_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX idx_oidc_client');
    await q.query('ALTER TABLE oidc_payloads DROP COLUMN client_id');
  }
}
