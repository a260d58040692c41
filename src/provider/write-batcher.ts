// Group commit for the adapter's writes on SQLite. Every committed SQLite transaction waits for the
// disk (the WAL is synced at each commit), and node-sqlite3 holds the connection while it does, so
// a token endpoint that writes (a refresh token rotated, an opaque access token stored) spends
// most of its time waiting for one sync per row. Writes that arrive while a commit is under way
// are committed together in the next transaction: one sync for many rows. Each caller still
// learns that its own row is on disk before it goes on (nothing is acknowledged early).
//
// A batch that fails is tried again row by row, so one caller's failure is never another's.
// PostgreSQL needs none of this: each pooled connection commits on its own.
import type { DataSource } from 'typeorm';

interface Write {
  sql: string;
  params: unknown[];
  resolve(): void;
  reject(err: unknown): void;
}

/** More rows than this wait for the next transaction (keeps each one short). */
const MAX_BATCH = 64;

export class WriteBatcher {
  #pending: Write[] = [];
  #flushing = false;

  constructor(private readonly ds: DataSource) {}

  write(sql: string, params: unknown[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ sql, params, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        // Writes made in the same turn of the event loop go in the first transaction.
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending.length) {
        const batch = this.#pending.splice(0, MAX_BATCH);
        if (batch.length === 1) await this.#one(batch[0]!);
        else await this.#many(batch);
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #one(w: Write): Promise<void> {
    try {
      await this.ds.query(w.sql, w.params);
      w.resolve();
    } catch (err) {
      w.reject(err);
    }
  }

  async #many(batch: Write[]): Promise<void> {
    try {
      await this.ds.transaction(async (manager) => {
        for (const w of batch) await manager.query(w.sql, w.params);
      });
    } catch {
      // Rolled back as a whole: each row alone, so that only a row that fails by itself fails.
      for (const w of batch) await this.#one(w);
      return;
    }
    for (const w of batch) w.resolve();
  }
}
