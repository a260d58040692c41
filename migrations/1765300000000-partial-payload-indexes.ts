// The lookup columns of oidc_payloads are each set on some models only (a user code on device codes,
// a uid on sessions, a grant and an account on what a user was given): their indexes keep only the
// rows that have a value, so writing a token (the token endpoint's one write) updates fewer of them.
// Every query on these columns compares them with a value, which implies the index's condition.
import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS: Array<[index: string, column: string]> = [
  ['idx_oidc_grant', 'grant_id'],
  ['idx_oidc_uid', 'uid'],
  ['idx_oidc_user_code', 'user_code'],
  ['idx_oidc_account', 'account_id'],
  ['idx_oidc_client', 'client_id'],
];

export class PartialPayloadIndexes1765300000000 implements MigrationInterface {
  name = 'PartialPayloadIndexes1765300000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [index, column] of COLUMNS) {
      await q.query(`DROP INDEX ${index}`);
      await q.query(`CREATE INDEX ${index} ON oidc_payloads (${column}) WHERE ${column} IS NOT NULL`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [index, column] of COLUMNS) {
      await q.query(`DROP INDEX ${index}`);
      await q.query(`CREATE INDEX ${index} ON oidc_payloads (${column})`);
    }
  }
}
