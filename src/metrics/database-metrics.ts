// The database as Prometheus sees it. PostgreSQL: the connection pool (in use, idle, callers
// waiting, maximum). SQLite has one shared connection: in use while a transaction holds it, and the
// file's size on disk (with its write-ahead log), which is what grows.
import { statSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Database } from '../config/config.js';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max?: number };
}

interface Pool {
  inUse: number;
  idle: number;
  waiting: number;
  max: number;
}

function poolOf(ds: DataSource, database: Database): Pool | undefined {
  if (!ds.isInitialized) return undefined;
  if (database.type === 'postgres') {
    const pool = (ds.driver as unknown as { master?: PgPool }).master;
    if (!pool) return undefined;
    return { inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 };
  }
  // TypeORM's SQLite driver hands every caller its one shared runner.
  const inUse = ds.createQueryRunner().isTransactionActive ? 1 : 0;
  return { inUse, idle: 1 - inUse, waiting: 0, max: 1 };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function registerDatabaseMetrics(registry: Registry, ds: DataSource, database: Database): void {
  const driver = database.type;
  new Gauge({
    name: 'idp_db_pool_connections',
    help: 'Database connections by state (in_use, idle); SQLite has one, in use while a transaction holds it',
    labelNames: ['driver', 'state'] as const,
    registers: [registry],
    collect() {
      const pool = poolOf(ds, database);
      if (!pool) return;
      this.set({ driver, state: 'in_use' }, pool.inUse);
      this.set({ driver, state: 'idle' }, pool.idle);
    },
  });
  new Gauge({
    name: 'idp_db_pool_waiting',
    help: 'Queries waiting for a free database connection (PostgreSQL pool)',
    labelNames: ['driver'] as const,
    registers: [registry],
    collect() {
      const pool = poolOf(ds, database);
      if (pool) this.set({ driver }, pool.waiting);
    },
  });
  new Gauge({
    name: 'idp_db_pool_max_connections',
    help: 'The most connections the pool opens',
    labelNames: ['driver'] as const,
    registers: [registry],
    collect() {
      const pool = poolOf(ds, database);
      if (pool) this.set({ driver }, pool.max);
    },
  });
  if (database.type === 'sqlite' && database.path !== ':memory:') {
    const path = database.path;
    new Gauge({
      name: 'idp_db_size_bytes',
      help: 'Size of the SQLite database file and its write-ahead log',
      registers: [registry],
      collect() {
        this.set(fileSize(path) + fileSize(`${path}-wal`));
      },
    });
  }
}
