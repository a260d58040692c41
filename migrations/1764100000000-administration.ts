// Administration: stored settings, groups and membership, per-application rules.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Administration1764100000000 implements MigrationInterface {
  name = 'Administration1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE settings (
      key varchar(64) PRIMARY KEY,
      value text NOT NULL,
      updated_at bigint NOT NULL,
      updated_by varchar(200))`);
    await q.query(`CREATE TABLE access_groups (
      id varchar(36) PRIMARY KEY,
      name varchar(100) NOT NULL UNIQUE,
      description varchar(200) NOT NULL DEFAULT '',
      created_at bigint NOT NULL)`);
    await q.query(`CREATE TABLE user_groups (
      user_id varchar(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      group_id varchar(36) NOT NULL REFERENCES access_groups(id) ON DELETE CASCADE,
      PRIMARY KEY (user_id, group_id))`);
    await q.query(`CREATE TABLE client_rules (
      client_id varchar(200) PRIMARY KEY REFERENCES oidc_clients(client_id) ON DELETE CASCADE,
      allowed_groups text NOT NULL,
      second_factor varchar(16) NOT NULL,
      updated_at bigint NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE client_rules');
    await q.query('DROP TABLE user_groups');
    await q.query('DROP TABLE access_groups');
    await q.query('DROP TABLE settings');
  }
}
