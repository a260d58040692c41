// Rows kept in memory by their one writer: the interactions the oidc-provider adapter wrote
// (recent-rows.ts) and the accounts the user service read (row-cache.ts). Neither may ever answer a
// row older than the last write this process made, nor keep a row a failed write left behind.
import { describe, expect, it } from '@jest/globals';
import type { Context, Next } from 'koa';
import { createAdapter } from '../../src/provider/adapter.js';
import { holdWrites } from '../../src/provider/held-writes.js';
import { RecentRows } from '../../src/provider/recent-rows.js';
import { RowCache } from '../../src/persistence/row-cache.js';
import { systemClock } from '../../src/support/clock.js';
import { openTestDatabase } from '../support/test-server.js';

const later = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};
const row = (payload: string) => ({ payload, expires_at: null, consumed_at: null }) as const;

describe('RecentRows', () => {
  it('keeps a row once its write is committed, and nothing when the write failed', () => {
    const rows = new RecentRows();
    rows.writing('a').committed(row('A1'));
    expect(rows.get('a')?.payload).toBe('A1');
    const failing = rows.writing('a');
    expect(rows.get('a')).toBeUndefined();
    failing.failed();
    expect(rows.get('a')).toBeUndefined();
  });

  it('keeps only the row of the last write to begin, whatever order they end in', () => {
    const rows = new RecentRows();
    const first = rows.writing('a');
    const second = rows.writing('a');
    second.committed(row('second'));
    first.committed(row('first'));
    expect(rows.get('a')?.payload).toBe('second');
    const third = rows.writing('a');
    const fourth = rows.writing('a');
    third.committed(row('third'));
    expect(rows.get('a')).toBeUndefined();
    fourth.committed(row('fourth'));
    expect(rows.get('a')?.payload).toBe('fourth');
  });

  it('keeps nothing of a write under way when its row is dropped, or all of them are', () => {
    const rows = new RecentRows();
    const destroyed = rows.writing('a');
    rows.drop('a');
    destroyed.committed(row('A'));
    expect(rows.get('a')).toBeUndefined();
    rows.writing('b').committed(row('B'));
    const revoked = rows.writing('c');
    rows.dropAll();
    revoked.committed(row('C'));
    expect(rows.get('b')).toBeUndefined();
    expect(rows.get('c')).toBeUndefined();
    rows.writing('c').committed(row('C2'));
    expect(rows.get('c')?.payload).toBe('C2');
  });
});

describe('RecentRows, memory', () => {
  it('weighs 16 MB at most, the oldest rows going first', () => {
    const rows = new RecentRows();
    const mb = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 20; i++) rows.writing(`r${i}`).committed(row(mb));
    const kept = Array.from({ length: 20 }, (_, i) => rows.get(`r${i}`) !== undefined);
    expect(kept.filter(Boolean).length).toBeLessThanOrEqual(16);
    expect(kept[19]).toBe(true);
    expect(kept[0]).toBe(false);
  });

  it('lets a row go once its lifetime is over', async () => {
    const rows = new RecentRows();
    rows.writing('short').committed(row('S'), 30);
    rows.writing('long').committed(row('L'), 60_000);
    await new Promise((r) => setTimeout(r, 60));
    expect(rows.get('short')).toBeUndefined();
    expect(rows.get('long')?.payload).toBe('L');
  });
});

describe('the adapter on SQLite: interactions as last written', () => {
  const openAdapter = async () => {
    const db = await openTestDatabase('idp-kept-');
    const Adapter = createAdapter(db.ds, systemClock, async () => undefined, Buffer.alloc(32, 5));
    return { db, interactions: new Adapter('Interaction'), Adapter };
  };
  const now = () => Math.floor(Date.now() / 1000);
  const isSqlite = !process.env.TEST_DATABASE_URL;

  it('answers an interaction it wrote without reading the table, and a destroyed or revoked one no more', async () => {
    const { db, interactions } = await openAdapter();
    try {
      await interactions.upsert('uid-1', { jti: 'uid-1', kind: 'Interaction', iat: now(), exp: now() + 60, grantId: 'grant-1' }, 60);
      await interactions.upsert('uid-2', { jti: 'uid-2', kind: 'Interaction', iat: now(), exp: now() + 60 }, 60);
      // Another hand empties the table: on SQLite the adapter answers from what it wrote; PostgreSQL reads.
      await db.ds.query(`DELETE FROM oidc_payloads WHERE model = 'Interaction'`);
      expect(await interactions.find('uid-1')).toEqual(isSqlite ? expect.objectContaining({ jti: 'uid-1', grantId: 'grant-1' }) : undefined);
      // Each find is a copy: changing one does not change the next.
      const found = await interactions.find('uid-2');
      if (found) found.jti = 'changed';
      expect((await interactions.find('uid-2'))?.jti).toBe(isSqlite ? 'uid-2' : undefined);
      await interactions.destroy('uid-2');
      expect(await interactions.find('uid-2')).toBeUndefined();
      await interactions.revokeByGrantId('grant-1');
      expect(await interactions.find('uid-1')).toBeUndefined();
    } finally {
      await db.close();
    }
  });

  it('answers the stored row after a write that failed', async () => {
    const { db, interactions } = await openAdapter();
    try {
      await interactions.upsert('uid-3', { jti: 'uid-3', kind: 'Interaction', iat: now(), exp: now() + 60, returnTo: 'first' }, 60);
      // (PostgreSQL keeps nothing in memory: there the find below reads the table like every find.)
      if (isSqlite) {
        await db.ds.query(`CREATE TRIGGER refuse_second BEFORE UPDATE ON oidc_payloads WHEN NEW.payload LIKE '%second%' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
        await expect(interactions.upsert('uid-3', { jti: 'uid-3', kind: 'Interaction', iat: now(), exp: now() + 60, returnTo: 'second' }, 60)).rejects.toThrow();
        expect((await interactions.find('uid-3'))?.returnTo).toBe('first');
      }
      await db.ds.query(`UPDATE oidc_payloads SET payload = replace(payload, 'first', 'from the table') WHERE model = 'Interaction'`);
      expect((await interactions.find('uid-3'))?.returnTo).toBe('from the table');
    } finally {
      await db.close();
    }
  });

  it('keeps an interaction only once it is committed, even in a request that holds its writes', async () => {
    const { db, interactions } = await openAdapter();
    try {
      let stored: unknown[] = [];
      await holdWrites(['/token'], () => undefined)({ method: 'POST', path: '/token' } as Context, (async () => {
        await interactions.upsert('uid-5', { jti: 'uid-5', kind: 'Interaction', iat: now(), exp: now() + 60 }, 60);
        stored = await db.ds.query(`SELECT id FROM oidc_payloads WHERE model = 'Interaction'`);
      }) as Next);
      expect(stored).toHaveLength(1);
    } finally {
      await db.close();
    }
  });

  it('keeps an interaction no longer than it lives', async () => {
    const { db, interactions } = await openAdapter();
    try {
      await interactions.upsert('uid-4', { jti: 'uid-4', kind: 'Interaction', iat: now(), exp: now() + 1 }, 1);
      expect(await interactions.find('uid-4')).toBeDefined();
      await new Promise((r) => setTimeout(r, 1100));
      expect(await interactions.find('uid-4')).toBeUndefined();
    } finally {
      await db.close();
    }
  });
});

describe('RowCache', () => {
  class Account {
    constructor(
      public id: string,
      public status: string,
    ) {}
  }
  const source = (initial: string) => {
    let status = initial;
    let loads = 0;
    return {
      load: async () => (loads++, new Account('u1', status)),
      set: (s: string) => (status = s),
      get loads() {
        return loads;
      },
    };
  };

  it('reads once while a row lives, answers copies, and reads again after its lifetime', async () => {
    const cache = new RowCache<Account>((a) => a.id, 300);
    const db = source('active');
    const first = await cache.read('u1', db.load);
    first!.status = 'changed by a caller';
    const second = await cache.read('u1', db.load);
    expect(second).toBeInstanceOf(Account);
    expect(second?.status).toBe('active');
    expect(db.loads).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    await cache.read('u1', db.load);
    expect(db.loads).toBe(2);
  });

  it('never answers a row older than the last write through it', async () => {
    const cache = new RowCache<Account>((a) => a.id, 60_000);
    const db = source('active');
    await cache.read('u1', db.load);
    await cache.write('u1', async () => db.set('disabled'));
    expect((await cache.read('u1', db.load))?.status).toBe('disabled');
  });

  it('keeps nothing from a read during which a write began or ended', async () => {
    const cache = new RowCache<Account>((a) => a.id, 60_000);
    const db = source('active');
    // A read whose answer comes back after a write changed the row: what it read is not kept.
    const slow = later<void>();
    const reading = cache.read('u1', async () => {
      const stale = await db.load();
      await slow.promise;
      return stale;
    });
    await cache.write('u1', async () => db.set('disabled'));
    slow.resolve();
    expect((await reading)?.status).toBe('active');
    expect((await cache.read('u1', db.load))?.status).toBe('disabled');
    // A read while a write is under way keeps nothing either.
    const writing = later<void>();
    const write = cache.write('u1', async () => {
      await writing.promise;
      db.set('locked');
    });
    await cache.read('u1', db.load);
    writing.resolve();
    await write;
    expect((await cache.read('u1', db.load))?.status).toBe('locked');
  });

  it('keeps a row found otherwise under its key', async () => {
    const cache = new RowCache<Account>((a) => a.id, 60_000);
    const db = source('active');
    expect((await cache.find(db.load))?.id).toBe('u1');
    expect((await cache.read('u1', db.load))?.status).toBe('active');
    expect(db.loads).toBe(1);
  });

  it('keeps no missing row', async () => {
    const cache = new RowCache<Account>((a) => a.id, 60_000);
    let loads = 0;
    const none = async () => (loads++, null);
    expect(await cache.read('nobody', none)).toBeNull();
    expect(await cache.read('nobody', none)).toBeNull();
    expect(loads).toBe(2);
  });
});
