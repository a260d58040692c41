// Soft tokens and their activations.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SoftTokens1763900000000 implements MigrationInterface {
  name = 'SoftTokens1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE soft_tokens (
      id varchar(36) PRIMARY KEY,
      user_id varchar(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name varchar(64) NOT NULL,
      serial varchar(10) NOT NULL UNIQUE,
      kind varchar(16) NOT NULL,
      state varchar(16) NOT NULL,
      algorithm varchar(8) NOT NULL,
      digits integer NOT NULL,
      period integer NOT NULL,
      secret text,
      registration_pending boolean NOT NULL DEFAULT false,
      activation_expires_at bigint,
      last_step bigint,
      drift integer NOT NULL DEFAULT 0,
      failed_attempts integer NOT NULL DEFAULT 0,
      locked_until bigint,
      last_used_at bigint,
      activated_at bigint,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL)`);
    await q.query('CREATE UNIQUE INDEX idx_soft_tokens_user_name ON soft_tokens (user_id, name)');
    await q.query(`CREATE TABLE token_activations (
      id varchar(36) PRIMARY KEY,
      token_id varchar(36) NOT NULL REFERENCES soft_tokens(id) ON DELETE CASCADE,
      link_ticket_hash varchar(64) NOT NULL UNIQUE,
      qr_ticket_hash varchar(64) NOT NULL UNIQUE,
      sealed text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      expires_at bigint NOT NULL,
      used_at bigint,
      voided_at bigint,
      created_at bigint NOT NULL)`);
    await q.query('CREATE INDEX idx_activations_token ON token_activations (token_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE token_activations');
    await q.query('DROP TABLE soft_tokens');
  }
}
