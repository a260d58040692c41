// Builds the TypeORM data source for SQLite (embedded default) or PostgreSQL, and applies migrations.
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource } from 'typeorm';
import type { Database } from '../config/config.js';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities/index.js';
import { bindNumbers } from './sqlite-parameters.js';
import { cachingSqliteDriver } from './sqlite-statements.js';
import { serializeSqliteTransactions } from './sqlite-transactions.js';
import { withStartupLock } from './startup-lock.js';

export function createDataSource(database: Database): DataSource {
  const common = { entities, migrations, synchronize: false, migrationsRun: false, logging: false } as const;
  if (database.type === 'postgres') {
    return new DataSource({ ...common, type: 'postgres', url: database.url, extra: { max: 10 } });
  }
  if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
  const ds = new DataSource({
    ...common,
    type: 'sqlite',
    // The plain driver (TypeORM's driver.verbose() would capture a stack trace on every statement)
    // with prepared statements kept between queries.
    driver: cachingSqliteDriver,
    database: database.path,
    enableWAL: database.path !== ':memory:',
    busyTimeout: 10_000,
    busyErrorRetry: 50,
  });
  bindNumbers(ds);
  return ds;
}

/** Opens the connection and applies pending migrations (never `synchronize`). */
export async function openDatabase(database: Database): Promise<DataSource> {
  const ds = createDataSource(database);
  await ds.initialize();
  if (database.type === 'sqlite') {
    await ds.query('PRAGMA foreign_keys = ON');
    // Deleted rows (revoked tokens, used codes) are overwritten, not left in free pages of the file.
    await ds.query('PRAGMA secure_delete = ON');
    serializeSqliteTransactions(ds);
  }
  await withStartupLock(ds, database, () => ds.runMigrations({ transaction: 'each' }));
  return ds;
}

export async function pendingMigrations(ds: DataSource): Promise<boolean> {
  return ds.showMigrations();
}
