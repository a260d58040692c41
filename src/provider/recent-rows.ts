// The interactions the adapter wrote lately, as stored, for SQLite. Every page of a sign-in reads its
// interaction again (five reads per sign-in with a PIN); on SQLite one process serves the database
// (DESIGN §6) and every write of an interaction goes through the adapter, so the row it last
// committed is the row a read would return. PostgreSQL may be shared by several processes: not there.
//
// A row is kept once its write is committed, and dropped as soon as a write of it begins (so a
// write that fails leaves nothing behind), when it is destroyed, or when a grant is revoked (whose
// interactions go too: all are dropped, rarely enough). Its lifetime is checked by the reader; it
// leaves memory then too, and the rows kept weigh 16 MB at most (anyone may start a sign-in).
import { LRUCache } from 'lru-cache';

export interface KeptRow {
  payload: string;
  expires_at: number | null;
  consumed_at: null;
}

export class RecentRows {
  readonly #rows = new LRUCache<string, KeptRow>({ maxSize: 16 * 1024 * 1024, sizeCalculation: (row) => row.payload.length + 64 });
  /** The write of each row under way, so that only the last one to begin keeps its row. */
  readonly #writing = new Map<string, object>();
  /** Changes on every drop of them all: a write that began before does not keep its row. */
  #era = {};

  get(key: string): KeptRow | undefined {
    return this.#rows.get(key);
  }

  /**
   * Before a write of `key`: the row is dropped; `committed(row, ttlMs)` keeps it for its lifetime,
   * unless another write of it has begun since.
   */
  writing(key: string): { committed(row: KeptRow, ttlMs?: number): void; failed(): void } {
    const mine = {};
    const era = this.#era;
    this.#rows.delete(key);
    this.#writing.set(key, mine);
    const last = () => {
      const was = this.#writing.get(key) === mine;
      if (was) this.#writing.delete(key);
      return was && era === this.#era;
    };
    return {
      committed: (row, ttlMs) => void (last() && this.#rows.set(key, row, ttlMs === undefined ? {} : { ttl: Math.max(1, ttlMs) })),
      failed: () => void last(),
    };
  }

  drop(key: string): void {
    this.#rows.delete(key);
    this.#writing.delete(key);
  }

  dropAll(): void {
    this.#rows.clear();
    this.#era = {};
  }
}
