// Placeholder: filled in by the change that owns it.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class HashedPayloadIds1764700000000 implements MigrationInterface {
  name = 'HashedPayloadIds1764700000000';

  async up(_q: QueryRunner): Promise<void> {}

  async down(_q: QueryRunner): Promise<void> {}
}
