// Column helpers shared by the entities so the same schema works on SQLite and PostgreSQL.
import { Column, type ColumnOptions } from 'typeorm';

// Timestamps are epoch milliseconds in a bigint column: identical on both databases
// (PostgreSQL returns bigint as a string, hence the transformer).
const epochMs = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};

export function EpochColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}) {
  return Column({ type: 'bigint', transformer: epochMs, ...options });
}

export function JsonColumn(options: Omit<ColumnOptions, 'type'> = {}) {
  return Column({ type: 'simple-json', ...options });
}

/** What a JSON column holds. `any` values keep TypeORM's deep-partial typing happy. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonObject = { [key: string]: any };
