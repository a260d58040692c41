// Group commit: concurrent writes share a transaction, each caller learns its own outcome, and a
// row that fails does not take the others of its batch with it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BatchStatement, WriteBatcher } from '../../src/provider/write-batcher.js';
import { type OpenTestDatabase, openTestDatabase } from '../support/test-server.js';

describe('WriteBatcher', () => {
  let db: OpenTestDatabase;
  const write = (batcher: WriteBatcher, id: string) =>
    batcher.write(`INSERT INTO oidc_payloads (model, id, payload, expires_at) VALUES (${db.ds.options.type === 'postgres' ? '$1, $2, $3, $4' : '?1, ?2, ?3, ?4'})`, ['Batch', id, '{}', null]);

  beforeAll(async () => {
    db = await openTestDatabase('idp-batch-');
  });

  afterAll(async () => {
    await db?.close();
  });

  it('commits concurrent writes together, and only a failing row fails', async () => {
    const batcher = new WriteBatcher(db.ds);
    let transactions = 0;
    const original = db.ds.transaction.bind(db.ds) as (...a: unknown[]) => Promise<unknown>;
    (db.ds as unknown as { transaction: (...a: unknown[]) => Promise<unknown> }).transaction = (...a) => {
      transactions++;
      return original(...a);
    };
    const ids = Array.from({ length: 20 }, (_, i) => `row-${i}`);
    const results = await Promise.allSettled([...ids.map((id) => write(batcher, id)), write(batcher, 'row-3')]);
    expect(results.slice(0, 20).every((r) => r.status === 'fulfilled')).toBe(true);
    // The duplicate key is the one refusal, and it is its caller's.
    expect(results[20]!.status).toBe('rejected');
    const rows = (await db.ds.query(`SELECT id FROM oidc_payloads WHERE model = 'Batch'`)) as Array<{ id: string }>;
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(transactions).toBeLessThanOrEqual(2);
  });

  it('sends concurrent upserts as one multi-row statement, the later of two writes to a row winning', async () => {
    const postgres = db.ds.options.type === 'postgres';
    const values = (rows: number) =>
      Array.from({ length: rows }, (_, r) => `(${[1, 2, 3].map((f) => (postgres ? `$${r * 3 + f}` : `?${r * 3 + f}`)).join(', ')})`).join(', ');
    const upsert = (rows: number) => `INSERT INTO oidc_payloads (model, id, payload) VALUES ${values(rows)} ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload`;
    const statement: BatchStatement = { sql: upsert(1), forRows: upsert };
    const batcher = new WriteBatcher(db.ds);
    const sent: string[] = [];
    const query = db.ds.query.bind(db.ds);
    (db.ds as unknown as { query: typeof query }).query = (sql, ...rest) => {
      if (sql.includes("'Multi'") || sql.includes('oidc_payloads (model, id, payload) VALUES')) sent.push(sql);
      return query(sql, ...rest);
    };
    try {
      const writes = Array.from({ length: 11 }, (_, i) => batcher.write(statement, ['Multi', `m-${i}`, JSON.stringify({ n: i })]));
      writes.push(batcher.write(statement, ['Multi', 'm-3', JSON.stringify({ n: 'later' })]));
      await Promise.all(writes);
    } finally {
      (db.ds as unknown as { query: typeof query }).query = query;
    }
    const rows = (await db.ds.query(`SELECT id, payload FROM oidc_payloads WHERE model = 'Multi'`)) as Array<{ id: string; payload: string }>;
    expect(rows).toHaveLength(11);
    expect(JSON.parse(rows.find((r) => r.id === 'm-3')!.payload)).toEqual({ n: 'later' });
    // Twelve writes, one statement (padded to sixteen rows). PostgreSQL, where the adapter does not
    // batch, refuses a row twice in one upsert: the batch is then written row by row, and still right.
    expect(sent[0]!.match(/\(/g)!.length).toBeGreaterThanOrEqual(16);
    expect(sent).toHaveLength(postgres ? 1 + 12 : 1);
  });
});
