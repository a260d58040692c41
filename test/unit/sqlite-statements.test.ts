// The SQLite driver keeps prepared statements by their SQL text. Whatever it keeps, every query
// must answer as if it had been prepared fresh: right rows, right errors, right change counts.
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

describe('prepared statements kept between queries (SQLite)', () => {
  it('gives each of many callers of the same statement its own rows', async () => {
    const values = Array.from({ length: 100 }, (_, i) => `value ${i}`);
    const rows = await Promise.all(values.map((v) => ds.query('SELECT ? AS v', [v]) as Promise<Array<{ v: string }>>));
    expect(rows.map((r) => r[0]!.v)).toEqual(values);
  });

  it('answers more distinct statements than it keeps, and the database still closes cleanly', async () => {
    const results = await Promise.all(Array.from({ length: 600 }, (_, i) => ds.query(`SELECT ${i} AS n`) as Promise<Array<{ n: number }>>));
    expect(results.map((r) => r[0]!.n)).toEqual(Array.from({ length: 600 }, (_, i) => i));
    await expect(ds.destroy()).resolves.toBeUndefined();
  });

  it('closes cleanly right after dropping statements it no longer keeps', async () => {
    for (let i = 0; i < 300; i++) await ds.query(`SELECT ${i} AS n`);
    await expect(ds.destroy()).resolves.toBeUndefined();
  });

  it('closes cleanly while a query is still on its way', async () => {
    await ds.query('SELECT 1 AS warm');
    const late = ds.query('SELECT 2 AS late').catch((err: Error) => err);
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

  it('reports how many rows a write changed, every time it runs', async () => {
    const repo = ds.getRepository(SettingEntity);
    for (const key of ['a', 'b', 'c']) await repo.insert({ key, value: '"v"', updatedAt: 1, updatedBy: null });
    expect((await repo.update({ key: 'a' }, { updatedAt: 2 })).affected).toBe(1);
    expect((await repo.update({ key: 'zzz' }, { updatedAt: 2 })).affected).toBe(0);
    expect((await repo.update({ key: 'b' }, { updatedAt: 2 })).affected).toBe(1);
    expect((await repo.delete({ key: 'c' })).affected).toBe(1);
    expect((await repo.delete({ key: 'c' })).affected).toBe(0);
  });

  it('keeps a failed constraint from spoiling the statement for the next caller', async () => {
    const repo = ds.getRepository(SettingEntity);
    const row = (key: string) => ({ key, value: '"v"', updatedAt: 1, updatedBy: null });
    await repo.insert(row('k'));
    await expect(repo.insert(row('k'))).rejects.toThrow(/UNIQUE|constraint/i);
    await expect(repo.insert(row('k2'))).resolves.toBeDefined();
    expect(await repo.count()).toBe(2);
  });
});

describe('numbers are bound, not written into the SQL text (SQLite)', () => {
  it('gives the same statement text for writes that differ only in a number', () => {
    const repo = ds.getRepository(SettingEntity);
    const update = (at: number) => repo.createQueryBuilder().update().set({ updatedAt: at }).where({ key: 'a' }).getQueryAndParameters();
    const [first, firstParams] = update(1795994370894);
    const [second, secondParams] = update(1795994370999);
    expect(first).toBe(second);
    expect(first).not.toContain('1795994370894');
    expect(firstParams).toContain(1795994370894);
    expect(secondParams).toContain(1795994370999);
  });

  it('stores a millisecond timestamp as an exact integer and finds rows by it', async () => {
    const repo = ds.getRepository(SettingEntity);
    const at = 1795994370894;
    await repo.insert({ key: 'k', value: '"v"', updatedAt: at, updatedBy: null });
    expect(await ds.query('SELECT typeof(updated_at) AS t, updated_at AS v FROM settings')).toEqual([{ t: 'integer', v: at }]);
    expect((await repo.findOneByOrFail({ updatedAt: at })).key).toBe('k');
    expect(await repo.countBy({ updatedAt: at + 1 })).toBe(0);
  });
});
