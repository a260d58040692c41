// Group commit: concurrent writes share a transaction, each caller learns its own outcome, and a
// row that fails does not take the others of its batch with it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WriteBatcher } from '../../src/provider/write-batcher.js';
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
});
