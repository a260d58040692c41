// Placeholder: filled in by the change that owns it.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AssuranceRules1764900000000 implements MigrationInterface {
  name = 'AssuranceRules1764900000000';

  async up(_q: QueryRunner): Promise<void> {}

  async down(_q: QueryRunner): Promise<void> {}
}
