// The SQLite data source keeps the prepared statements of raw queries. Whatever it keeps, every query
// must answer as TypeORM's own query runner does: right rows, right errors, the same results for
// writes, and the database must still close.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/persistence/data-source.js';
import { SettingEntity } from '../../src/persistence/entities/setting.entity.js';

let dir: string;
let ds: DataSource;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idp-stmt-'));
  ds = await openDatabase({ type: 'sqlite', path: join(dir, 'idp.sqlite') });
});

afterEach(async () => {
  if (ds.isInitialized) await ds.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** The same query through TypeORM's query runner, which keeps nothing. */
const plain = (sql: string, parameters?: unknown[]) => ds.createQueryRunner().query(sql, parameters);

describe('raw queries on kept statements (SQLite)', () => {
  it('gives each of many callers of the same statement its own rows', async () => {
    const values = Array.from({ length: 100 }, (_, i) => `value ${i}`);
    const rows = await Promise.all(values.map((v) => ds.query('SELECT ?1 AS v', [v]) as Promise<Array<{ v: string }>>));
    expect(rows.map((r) => r[0]!.v)).toEqual(values);
  });

  it('answers writes as TypeORM does: the new row id for an INSERT, nothing for UPDATE and DELETE', async () => {
    await ds.query('CREATE TABLE w (id integer PRIMARY KEY, v text)');
    for (const run of [(sql: string, p: unknown[]) => ds.query(sql, p), plain]) {
      const id = await run('INSERT INTO w (v) VALUES (?1)', ['a']);
      expect(typeof id).toBe('number');
      expect(await run('UPDATE w SET v = ?1 WHERE id = ?2', ['b', id])).toBeUndefined();
      expect(await run('SELECT v FROM w WHERE id = ?1', [id])).toEqual([{ v: 'b' }]);
      expect(await run('DELETE FROM w WHERE id = ?1', [id])).toBeUndefined();
    }
  });

  it('answers more distinct statements than it keeps, and the database still closes cleanly', async () => {
    const results = await Promise.all(Array.from({ length: 400 }, (_, i) => ds.query(`SELECT ${i} AS n`) as Promise<Array<{ n: number }>>));
    expect(results.map((r) => r[0]!.n)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    await expect(ds.destroy()).resolves.toBeUndefined();
  });

  it('closes cleanly while queries are still on their way', async () => {
    await ds.query('SELECT 1 AS warm');
    const late = ds.query('SELECT 1 AS warm').catch((err: Error) => err);
    const later = ds.query('SELECT 3 AS later').catch((err: Error) => err);
    await expect(ds.destroy()).resolves.toBeUndefined();
    await Promise.all([late, later]);
  });

  it('reports a statement that does not prepare with its own error, and tries the same text again later', async () => {
    await expect(ds.query('SELEC 1')).rejects.toThrow(/syntax error/);
    await expect(ds.query('SELECT * FROM made_later')).rejects.toThrow(/no such table/);
    await ds.query('CREATE TABLE made_later (x integer)');
    await ds.query('INSERT INTO made_later (x) VALUES (?)', [5]);
    await expect(ds.query('SELECT * FROM made_later')).resolves.toEqual([{ x: 5 }]);
  });

  it('sees a schema change made after a statement was kept', async () => {
    await ds.query('CREATE TABLE grows (a integer)');
    await ds.query('INSERT INTO grows (a) VALUES (1)');
    expect(await ds.query('SELECT * FROM grows')).toEqual([{ a: 1 }]);
    await ds.query('ALTER TABLE grows ADD COLUMN b text');
    expect(await ds.query('SELECT * FROM grows')).toEqual([{ a: 1, b: null }]);
  });

  it('keeps a failed constraint from spoiling the statement for the next caller', async () => {
    const insert = (key: string) => ds.query('INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, NULL)', [key, '"v"', 1]);
    await insert('k');
    await expect(insert('k')).rejects.toThrow(/UNIQUE|constraint/i);
    await expect(insert('k2')).resolves.toBeDefined();
    expect(await ds.getRepository(SettingEntity).count()).toBe(2);
  });

  it('stores a millisecond timestamp as an exact integer, bound or written by TypeORM, and finds rows by it', async () => {
    const at = 1795994370894;
    await ds.getRepository(SettingEntity).insert({ key: 'orm', value: '"v"', updatedAt: at, updatedBy: null });
    await ds.query('INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, NULL)', ['raw', '"v"', at + 1]);
    expect(await ds.query('SELECT key, typeof(updated_at) AS t, updated_at AS v FROM settings ORDER BY key')).toEqual([
      { key: 'orm', t: 'integer', v: at },
      { key: 'raw', t: 'integer', v: at + 1 },
    ]);
    expect((await ds.getRepository(SettingEntity).findOneByOrFail({ updatedAt: at + 1 })).key).toBe('raw');
    expect(await ds.query('SELECT key FROM settings WHERE updated_at = ?1', [at])).toEqual([{ key: 'orm' }]);
  });
});

describe('durability of commits (SQLite)', () => {
  const synchronous = async (d: DataSource) => ((await d.query('PRAGMA synchronous')) as Array<{ synchronous: number }>)[0]!.synchronous;

  it('syncs every commit by default (FULL), and at checkpoints only when the operator asks (NORMAL)', async () => {
    expect(await synchronous(ds)).toBe(2);
    const other = await openDatabase({ type: 'sqlite', path: join(dir, 'normal.sqlite'), synchronous: 'normal' });
    try {
      expect(await synchronous(other)).toBe(1);
    } finally {
      await other.destroy();
    }
  });
});
