// The language a user chose in My Profile (en, fr); null: the browser's or the default one.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UserLocale1765100000000 implements MigrationInterface {
  name = 'UserLocale1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users ADD COLUMN locale varchar(10)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users DROP COLUMN locale');
  }
}
