// Many requests at once write through one database: transactions and single writes that overlap must
// neither fail ("cannot start a transaction within a transaction" on SQLite's single connection)
// nor lose or mix their rows. Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { SettingEntity } from '../../src/persistence/entities/setting.entity.js';
import { type OpenTestDatabase, openTestDatabase } from '../support/test-server.js';

let db: OpenTestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await openTestDatabase('idp-tx-');
  ds = db.ds;
});

afterAll(async () => {
  await db?.close();
});

const row = (key: string) => ({ key, value: '"v"', updatedAt: 1, updatedBy: null });

describe('overlapping writes', () => {
  it('runs 40 transactions and 40 single writes at once, all of them complete', async () => {
    const work = Array.from({ length: 40 }, (_, i) => [
      ds.transaction(async (tx) => {
        await tx.getRepository(SettingEntity).insert(row(`tx-a-${i}`));
        await new Promise((r) => setTimeout(r, 1)); // hold the transaction open across a tick
        await tx.getRepository(SettingEntity).insert(row(`tx-b-${i}`));
      }),
      ds.getRepository(SettingEntity).insert(row(`save-${i}`)),
    ]).flat();
    await expect(Promise.all(work)).resolves.toHaveLength(80);
    const keys = (await ds.getRepository(SettingEntity).find()).map((r) => r.key);
    for (let i = 0; i < 40; i++) expect(keys).toEqual(expect.arrayContaining([`tx-a-${i}`, `tx-b-${i}`, `save-${i}`]));
  });

  it('refuses on SQLite a save() that would open a transaction of its own on the shared connection, and goes on', async () => {
    const saved = ds.getRepository(SettingEntity).save(row('saved'));
    if (ds.options.type === 'sqlite') {
      await expect(saved).rejects.toThrow('On SQLite a transaction is opened with DataSource.transaction()');
      expect(await ds.getRepository(SettingEntity).existsBy({ key: 'saved' })).toBe(false);
    } else {
      await saved;
      expect(await ds.getRepository(SettingEntity).existsBy({ key: 'saved' })).toBe(true);
    }
    await ds.transaction((tx) => tx.getRepository(SettingEntity).insert(row('after-save')));
    expect(await ds.getRepository(SettingEntity).existsBy({ key: 'after-save' })).toBe(true);
  });

  it('rolls back a failed transaction without touching the ones around it', async () => {
    const failing = ds.transaction(async (tx) => {
      await tx.getRepository(SettingEntity).insert(row('doomed'));
      throw new Error('boom');
    });
    const others = Array.from({ length: 10 }, (_, i) => ds.transaction((tx) => tx.getRepository(SettingEntity).insert(row(`kept-${i}`))));
    await expect(failing).rejects.toThrow('boom');
    await Promise.all(others);
    const keys = (await ds.getRepository(SettingEntity).find()).map((r) => r.key);
    expect(keys).not.toContain('doomed');
    for (let i = 0; i < 10; i++) expect(keys).toContain(`kept-${i}`);
    // And the database takes new transactions afterwards.
    await ds.transaction((tx) => tx.getRepository(SettingEntity).insert(row('after')));
    expect(await ds.getRepository(SettingEntity).existsBy({ key: 'after' })).toBe(true);
  });
});
