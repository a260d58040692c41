// The lookup indexes of oidc_payloads hold only rows with a value (writing a token updates fewer of
// them), and every lookup on those columns still uses its index, on both databases.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type OpenTestDatabase, openTestDatabase } from '../support/test-server.js';

const INDEXES = ['idx_oidc_grant', 'idx_oidc_uid', 'idx_oidc_user_code', 'idx_oidc_account', 'idx_oidc_client'];

/** The lookups made on those columns (adapter, sessions, client removal), with `$1` for the value. */
const LOOKUPS: Array<[index: string, sql: string]> = [
  ['idx_oidc_uid', "SELECT payload FROM oidc_payloads WHERE model = 'Session' AND uid = $1"],
  ['idx_oidc_user_code', "SELECT payload FROM oidc_payloads WHERE model = 'DeviceCode' AND user_code = $1"],
  ['idx_oidc_grant', 'DELETE FROM oidc_payloads WHERE grant_id = $1'],
  ['idx_oidc_account', "SELECT payload FROM oidc_payloads WHERE model = 'Session' AND account_id = $1"],
  ['idx_oidc_account', 'DELETE FROM oidc_payloads WHERE account_id = $1'],
  ['idx_oidc_client', "DELETE FROM oidc_payloads WHERE model = 'ClientCredentials' AND client_id = $1"],
];

describe('oidc_payloads lookup indexes', () => {
  let db: OpenTestDatabase;
  const postgres = () => db.ds.options.type === 'postgres';

  beforeAll(async () => {
    db = await openTestDatabase('idp-indexes-');
  });

  afterAll(async () => {
    await db?.close();
  });

  it('hold only rows that have a value', async () => {
    const rows = (await db.ds.query(
      postgres()
        ? "SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE tablename = 'oidc_payloads'"
        : "SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND tbl_name = 'oidc_payloads'",
    )) as Array<{ name: string; definition: string | null }>;
    for (const name of INDEXES) {
      const column = { idx_oidc_grant: 'grant_id', idx_oidc_uid: 'uid', idx_oidc_user_code: 'user_code', idx_oidc_account: 'account_id', idx_oidc_client: 'client_id' }[name];
      expect(rows.find((r) => r.name === name)?.definition).toMatch(new RegExp(`WHERE \\(?${column} IS NOT NULL\\)?`, 'i'));
    }
  });

  it('serve every lookup on their columns, the value given as a parameter', async () => {
    for (const [index, sql] of LOOKUPS) {
      let plan: string;
      if (postgres()) {
        // One connection: a generic plan, as a prepared statement gets (the value only known as $1).
        const runner = db.ds.createQueryRunner();
        try {
          await runner.query("SET plan_cache_mode = 'force_generic_plan'");
          // An empty table may be cheaper to scan: only an index that cannot serve the lookup goes unused.
          await runner.query('SET enable_seqscan = off');
          await runner.query(`PREPARE lookup(text) AS ${sql}`);
          const rows = (await runner.query("EXPLAIN EXECUTE lookup('v')")) as Array<{ 'QUERY PLAN': string }>;
          plan = rows.map((r) => r['QUERY PLAN']).join('\n');
          await runner.query('DEALLOCATE lookup');
          await runner.query('RESET plan_cache_mode');
          await runner.query('RESET enable_seqscan');
        } finally {
          await runner.release();
        }
      } else {
        const rows = (await db.ds.query(`EXPLAIN QUERY PLAN ${sql.replace('$1', '?1')}`, ['v'])) as Array<{ detail: string }>;
        plan = rows.map((r) => r.detail).join('\n');
      }
      expect(`${sql}\n${plan}`).toContain(index);
    }
  });
});
