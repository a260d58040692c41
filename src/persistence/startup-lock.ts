// Serialises first-start work (migrations, the first signing key) between processes that start at
// once against the same database: a PostgreSQL advisory lock, or a lock file beside the SQLite file.
import { open, stat, unlink } from 'node:fs/promises';
import type { DataSource } from 'typeorm';
import type { Database } from '../config/config.js';

const PG_LOCK_KEY = 7_316_402_118; // any fixed bigint, private to this application
const STALE_LOCK_MS = 120_000;

export async function withStartupLock<T>(ds: DataSource, database: Database, fn: () => Promise<T>): Promise<T> {
  if (database.type === 'postgres') return withAdvisoryLock(ds, fn);
  if (database.path === ':memory:') return fn();
  return withLockFile(`${database.path}.startup-lock`, fn);
}

async function withAdvisoryLock<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [PG_LOCK_KEY]);
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [PG_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

async function withLockFile<T>(path: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      await removeIfStale(path);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

/** A lock left by a process that died mid-migration must not block every later start. */
async function removeIfStale(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS) await unlink(path).catch(() => undefined);
}
