// Resource servers (APIs) that applications ask access tokens for (RFC 8707 resource indicators).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ResourceServers1765050000000 implements MigrationInterface {
  name = 'ResourceServers1765050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE resource_servers (
      identifier varchar(500) PRIMARY KEY,
      name varchar(200) NOT NULL,
      scopes text NOT NULL,
      token_format varchar(16) NOT NULL,
      access_token_ttl integer NOT NULL,
      signing_alg varchar(16) NOT NULL,
      client_id varchar(200) NOT NULL UNIQUE,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE resource_servers');
  }
}
