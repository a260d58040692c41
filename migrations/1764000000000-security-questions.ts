// Security questions (Q&A) for self-service recovery of a lost soft token.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SecurityQuestions1764000000000 implements MigrationInterface {
  name = 'SecurityQuestions1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE security_answers (
      id varchar(36) PRIMARY KEY,
      user_id varchar(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      question varchar(200) NOT NULL,
      answer_hash text NOT NULL,
      created_at bigint NOT NULL)`);
    await q.query('CREATE INDEX idx_security_answers_user ON security_answers (user_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE security_answers');
  }
}
