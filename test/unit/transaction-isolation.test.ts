// A transaction that rolls back takes only its own writes with it: what other requests write while
// it is open (on SQLite, through the connection every other query shares) stays committed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SettingEntity } from '../../src/persistence/entities/setting.entity.js';
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

  it('keeps what a repository writes beside it', async () => {
    const settings = db.ds.getRepository(SettingEntity);
    const row = (key: string) => ({ key, value: '"v"', updatedAt: 1, updatedBy: null });
    const rolledBack = db.ds
      .transaction(async (tx) => {
        await tx.query(insert('uncommitted'));
        await new Promise((resolve) => setTimeout(resolve, 30));
        throw new Error('refused');
      })
      .catch((err: Error) => err.message);
    const during = new Promise((resolve) => setTimeout(resolve, 10)).then(async () => {
      await settings.insert(row('iso.beside'));
    });
    await Promise.all([rolledBack, during]);
    expect(await rolledBack).toBe('refused');
    expect(await settings.findOneBy({ key: 'iso.beside' })).toMatchObject({ key: 'iso.beside' });
    expect(await ids()).not.toContain('uncommitted');
  });

  it('lets a query sent just before a transaction begins finish outside it', async () => {
    // A write that takes a while (it counts to 300,000 first): the transaction's BEGIN would overtake it.
    const slow = `INSERT INTO oidc_payloads (model, id, payload) SELECT 'Iso', 'just-before', '{}'
      FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT max(x) AS n FROM c) AS counted`;
    const sent = db.ds.query(slow);
    const rolledBack = db.ds.transaction(async () => {
      throw new Error('refused');
    });
    await expect(rolledBack).rejects.toThrow('refused');
    await sent;
    expect(await ids()).toContain('just-before');
  });
});
