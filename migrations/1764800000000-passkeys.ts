// Passkeys (WebAuthn credentials), one row per credential.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Passkeys1764800000000 implements MigrationInterface {
  name = 'Passkeys1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE passkeys (
      id varchar(36) PRIMARY KEY,
      user_id varchar(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      credential_id varchar(1400) NOT NULL UNIQUE,
      public_key text NOT NULL,
      counter bigint NOT NULL DEFAULT 0,
      transports text NOT NULL,
      backup_eligible boolean NOT NULL DEFAULT false,
      backup_state boolean NOT NULL DEFAULT false,
      aaguid varchar(36) NOT NULL,
      name varchar(64) NOT NULL,
      created_at bigint NOT NULL,
      last_used_at bigint)`);
    await q.query('CREATE UNIQUE INDEX idx_passkeys_user_name ON passkeys (user_id, name)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE passkeys');
  }
}
