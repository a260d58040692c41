// Recovery codes: one row per code of a user's current set, only its keyed hash kept; a used code
// keeps its row (used_at) so the set's size and what is left can be told apart.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RecoveryCodes1765000000000 implements MigrationInterface {
  name = 'RecoveryCodes1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE recovery_codes (
      id varchar(36) PRIMARY KEY,
      user_id varchar(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      code_hash varchar(64) NOT NULL,
      used_at bigint,
      created_at bigint NOT NULL)`);
    await q.query('CREATE UNIQUE INDEX idx_recovery_codes_user_hash ON recovery_codes (user_id, code_hash)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE recovery_codes');
  }
}
