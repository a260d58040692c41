// A password an administrator set or the system generated is temporary: the user replaces it at the
// next sign-in, and it stops working after this time (ASVS 2.3.1). Null: the user chose it.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TemporaryPasswords1764600000000 implements MigrationInterface {
  name = 'TemporaryPasswords1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users ADD COLUMN temporary_password_until bigint');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users DROP COLUMN temporary_password_until');
  }
}
