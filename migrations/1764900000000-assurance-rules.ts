// Application rules name the assurance level they need instead of a factor. Every old rule
// ('either', 'token', 'pin') asked for two factors: it becomes the two-factor level.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AssuranceRules1764900000000 implements MigrationInterface {
  name = 'AssuranceRules1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE client_rules ADD COLUMN min_acr varchar(64) NOT NULL DEFAULT 'urn:idp:acr:mfa'`);
    await q.query('ALTER TABLE client_rules DROP COLUMN second_factor');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE client_rules ADD COLUMN second_factor varchar(16) NOT NULL DEFAULT 'either'`);
    await q.query('ALTER TABLE client_rules DROP COLUMN min_acr');
  }
}
