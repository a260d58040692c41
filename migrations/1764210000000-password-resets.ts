// Password reset links sent by administrators (the user proves themselves with a one-time PIN).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PasswordResets1764210000000 implements MigrationInterface {
  name = 'PasswordResets1764210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE password_resets (
      id varchar(36) PRIMARY KEY,
      user_id varchar(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      token_hash varchar(64) NOT NULL UNIQUE,
      expires_at bigint NOT NULL,
      pin_verified_at bigint,
      pin_failures integer NOT NULL DEFAULT 0,
      used_at bigint,
      voided_at bigint,
      created_at bigint NOT NULL)`);
    await q.query('CREATE INDEX idx_password_resets_user ON password_resets (user_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE password_resets');
  }
}
