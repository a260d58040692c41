// Rows the owner of a table read lately, kept for a moment: a sign-in reads its account on each of
// its requests (five with a PIN). The owner wraps each of its writes, and a row is dropped when a
// write of it begins and again when it ends, so in this process a read never answers a row older
// than the last write; a write by another process (the CLI) shows within `ttlMs`. A read during
// which any write began or ended keeps nothing. Callers get a copy: they may change what they get.
import { LRUCache } from 'lru-cache';

export class RowCache<T extends object> {
  readonly #rows: LRUCache<string, T>;
  /** Writes begun or ended so far, and those under way. */
  #writes = 0;
  #open = 0;

  /** `keyOf` names a row (its id): the key of `read` and `write`. */
  constructor(
    private readonly keyOf: (row: T) => string,
    ttlMs: number,
    max = 1000,
  ) {
    this.#rows = new LRUCache({ max, ttl: ttlMs });
  }

  /** The row `key`, kept or loaded. */
  async read(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const kept = this.#rows.get(key);
    return kept ? copy(kept) : this.find(load);
  }

  /** A row found otherwise (by name, say), kept under its key for `read`. */
  async find(load: () => Promise<T | null>): Promise<T | null> {
    const before = this.#writes;
    const row = await load();
    if (row && this.#open === 0 && this.#writes === before) this.#rows.set(this.keyOf(row), copy(row));
    return row;
  }

  /** `run` writes the row `key`. */
  async write<R>(key: string, run: () => Promise<R>): Promise<R> {
    this.#drop(key);
    this.#open++;
    try {
      return await run();
    } finally {
      this.#open--;
      this.#drop(key);
    }
  }

  #drop(key: string): void {
    this.#writes++;
    this.#rows.delete(key);
  }
}

const copy = <T extends object>(row: T): T => Object.assign(Object.create(Object.getPrototypeOf(row) as object) as T, row);
