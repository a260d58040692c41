// A small in-process read-through cache. An entry lives `ttlMs`; the owner deletes it when it changes
// the data itself, so only a change made by another server process can take up to `ttlMs` to show.
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: Promise<V>; until: number }>();

  /** `keep(value)` decides whether a loaded value is cached (a miss usually is not). */
  constructor(
    private readonly ttlMs: number,
    private readonly keep: (value: V) => boolean = () => true,
    private readonly maxEntries = 1000,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = performance.now();
    const hit = this.#entries.get(key);
    if (hit && hit.until > now) {
      this.#entries.delete(key); // most recently used last: the first key is the one to drop
      this.#entries.set(key, hit);
      return hit.value;
    }
    const entry = { value: load(), until: now + this.ttlMs };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    const forget = () => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    };
    entry.value.then((v) => this.keep(v) || forget(), forget);
    return entry.value;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
