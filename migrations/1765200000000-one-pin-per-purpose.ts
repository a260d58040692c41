// One outstanding PIN per user and purpose, kept by the database: a new PIN replaces the earlier one
// in a single statement, so two requests at the same moment cannot both pass the resend cooldown.
// Earlier duplicates (the newest was the one in force) go first.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OnePinPerPurpose1765200000000 implements MigrationInterface {
  name = 'OnePinPerPurpose1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM one_time_pins WHERE EXISTS (
      SELECT 1 FROM one_time_pins newer WHERE newer.user_id = one_time_pins.user_id AND newer.purpose = one_time_pins.purpose
        AND (newer.created_at > one_time_pins.created_at OR (newer.created_at = one_time_pins.created_at AND newer.id > one_time_pins.id)))`);
    await q.query('DROP INDEX idx_pins_purpose');
    await q.query('CREATE UNIQUE INDEX idx_pins_purpose ON one_time_pins (user_id, purpose)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX idx_pins_purpose');
    await q.query('CREATE INDEX idx_pins_purpose ON one_time_pins (user_id, purpose)');
  }
}
