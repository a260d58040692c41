// Builds the TypeORM data source for SQLite (embedded default) or PostgreSQL, and applies migrations.
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import type { Database } from '../config/config.js';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities/index.js';
import { SqliteDataSource } from './sqlite-data-source.js';
import { withStartupLock } from './startup-lock.js';

export function createDataSource(database: Database): DataSource {
  const common = { entities, migrations, synchronize: false, migrationsRun: false, logging: false } as const;
  if (database.type === 'postgres') {
    return new DataSource({ ...common, type: 'postgres', url: database.url, extra: { max: 10 } });
  }
  if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
  return new SqliteDataSource({
    ...common,
    type: 'sqlite',
    // The sqlite3 module as it is: TypeORM calls driver.verbose(), which would capture a stack trace
    // on every statement.
    driver: { ...sqlite3, verbose: () => sqlite3 },
    database: database.path,
    enableWAL: database.path !== ':memory:',
    // A lock held longer than this is the database being away (503), not a wait without end.
    busyTimeout: database.busyTimeoutMs ?? 10_000,
  });
}

/** Opens the connection and applies pending migrations (never `synchronize`). */
export async function openDatabase(database: Database): Promise<DataSource> {
  const ds = createDataSource(database);
  await ds.initialize();
  if (database.type === 'sqlite') {
    await ds.query('PRAGMA foreign_keys = ON');
    // Deleted rows (revoked tokens, used codes) are overwritten, not left in free pages of the file.
    await ds.query('PRAGMA secure_delete = ON');
    // FULL unless the operator chose otherwise (SQLITE_SYNCHRONOUS): every commit is on disk when it is answered.
    await ds.query(`PRAGMA synchronous = ${database.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  }
  await withStartupLock(ds, database, () => ds.runMigrations({ transaction: 'each' }));
  return ds;
}

export async function pendingMigrations(ds: DataSource): Promise<boolean> {
  return ds.showMigrations();
}
