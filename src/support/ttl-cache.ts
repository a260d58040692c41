// A small in-process read-through cache (lru-cache underneath). An entry lives `ttlMs`; the owner
// deletes it when it changes the data itself, so only a change made by another server process can
// take up to `ttlMs` to show. Callers asking for a key at once share one load.
import { LRUCache } from 'lru-cache';

export class TtlCache<V> {
  readonly #entries: LRUCache<string, Promise<V>>;

  /** `keep(value)` decides whether a loaded value is cached (a miss usually is not). */
  constructor(
    ttlMs: number,
    private readonly keep: (value: V) => boolean = () => true,
    maxEntries = 1000,
  ) {
    this.#entries = new LRUCache({ max: maxEntries, ttl: ttlMs });
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit) return hit;
    const value = load();
    this.#entries.set(key, value);
    const forget = () => {
      if (this.#entries.peek(key) === value) this.#entries.delete(key);
    };
    value.then((v) => this.keep(v) || forget(), forget);
    return value;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
