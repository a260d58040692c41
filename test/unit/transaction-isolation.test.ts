// A transaction that rolls back takes only its own writes with it: what other requests write while
// it is open (on SQLite, through the connection every other query shares) stays committed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type OpenTestDatabase, openTestDatabase } from '../support/test-server.js';

describe('transactions beside other writes', () => {
  let db: OpenTestDatabase;
  const insert = (id: string) => `INSERT INTO oidc_payloads (model, id, payload) VALUES ('Iso', '${id}', '{}')`;
  const ids = async () => ((await db.ds.query(`SELECT id FROM oidc_payloads WHERE model = 'Iso' ORDER BY id`)) as Array<{ id: string }>).map((r) => r.id);

  beforeAll(async () => {
    db = await openTestDatabase('idp-iso-');
  });

  afterAll(async () => {
    await db?.close();
  });

  it('keeps the writes made beside a transaction that rolls back', async () => {
    let seenInside: string[] = [];
    const before = db.ds.query(insert('before'));
    const rolledBack = db.ds
      .transaction(async (tx) => {
        await tx.query(insert('inside'));
        await new Promise((resolve) => setTimeout(resolve, 30));
        seenInside = ((await tx.query(`SELECT id FROM oidc_payloads WHERE model = 'Iso' ORDER BY id`)) as Array<{ id: string }>).map((r) => r.id);
        throw new Error('refused');
      })
      .then(
        () => 'committed',
        (err: Error) => err.message,
      );
    const during = new Promise((resolve) => setTimeout(resolve, 10)).then(() => db.ds.query(insert('during')));
    await Promise.all([before, during]);
    expect(await rolledBack).toBe('refused');
    expect(await ids()).toEqual(['before', 'during']);
    // The transaction saw its own row.
    expect(seenInside).toContain('inside');
  });
});
