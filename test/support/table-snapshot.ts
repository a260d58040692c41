// Every row of some tables, keyed by primary key, so that two moments can be compared row by row.
import type { DataSource } from 'typeorm';

/** table → primary key → the row as JSON (ignored columns left out). */
export type Snapshot = Map<string, Map<string, string>>;

export async function snapshotTables(ds: DataSource, tables: string[], ignore: Record<string, string[]> = {}): Promise<Snapshot> {
  const snapshot: Snapshot = new Map();
  const runner = ds.createQueryRunner();
  try {
    for (const table of tables) {
      if (!(await runner.hasTable(table))) continue;
      const meta = ds.entityMetadatas.find((m) => m.tableName === table);
      const keys = meta?.primaryColumns.map((c) => c.databaseName) ?? [];
      const rows = (await ds.query(`SELECT * FROM ${ds.driver.escape(table)}`)) as Array<Record<string, unknown>>;
      const byKey = new Map<string, string>();
      for (const row of rows) {
        const kept = Object.fromEntries(Object.entries(row).filter(([column]) => !(ignore[table] ?? []).includes(column)));
        byKey.set(keys.length ? keys.map((k) => String(row[k])).join('|') : JSON.stringify(kept), JSON.stringify(kept));
      }
      snapshot.set(table, byKey);
    }
  } finally {
    await runner.release();
  }
  return snapshot;
}

/** One line per row added, removed or changed (with both versions). */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const lines: string[] = [];
  for (const [table, rows] of after) {
    const old = before.get(table) ?? new Map<string, string>();
    for (const [key, row] of rows) {
      if (!old.has(key)) lines.push(`${table} added ${key}: ${row}`);
      else if (old.get(key) !== row) lines.push(`${table} changed ${key}:\n  before ${old.get(key)}\n  after  ${row}`);
    }
    for (const key of old.keys()) if (!rows.has(key)) lines.push(`${table} removed ${key}: ${old.get(key)}`);
  }
  return lines;
}
