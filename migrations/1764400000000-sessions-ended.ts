// When an account's sessions were last ended (password changed, account disabled, locked or deleted):
// the provider's own pages (My Profile, the admin console) keep their session in a sealed cookie and
// refuse one that began before this time.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SessionsEnded1764400000000 implements MigrationInterface {
  name = 'SessionsEnded1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users ADD COLUMN sessions_ended_at bigint');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users DROP COLUMN sessions_ended_at');
  }
}
