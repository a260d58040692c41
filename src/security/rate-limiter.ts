// Fixed-window failure counters in the database (shared by every process), e.g. per client address.
//
// `take` admits a try before the work it limits: the failures counted in the window and the tries
// under way in this process together stay within the limit, so of tries sent at once no more than
// the limit get through (checking first and counting a failure only after the work would let every
// try that arrived before the first failure was counted through). Each try taken is `settle`d: as
// a failure (counted) or not. Nothing is written for a try that succeeds. The tries under way are
// this process's own: several processes on PostgreSQL each admit up to the limit at once.
// `isLimited` and `hit` check and count apart.
import type { DataSource, Repository } from 'typeorm';
import { RateLimitEntity } from '../persistence/entities/rate-limit.entity.js';
import { EntityLookup } from '../persistence/entity-lookup.js';
import { sqlFor } from '../persistence/kept-update.js';
import type { Clock } from '../support/clock.js';

/** One more in the live window ($3: its earliest start), or the first of a new one (at $2). */
const HIT = `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN rate_limits.window_start > $3 THEN rate_limits.count + 1 ELSE 1 END,
    window_start = CASE WHEN rate_limits.window_start > $3 THEN rate_limits.window_start ELSE $2 END`;

/** Tries admitted and not yet settled, admissions reading the count, failures counted since. */
interface Tries {
  underWay: number;
  reading: number;
  failed: number;
}

export class RateLimiter {
  readonly #repo: Repository<RateLimitEntity>;
  readonly #find: EntityLookup<RateLimitEntity>;
  readonly #hit: string;
  /** By key, while a try is under way or being admitted. */
  readonly #tries = new Map<string, Tries>();

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowSeconds: number,
  ) {
    this.#repo = ds.getRepository(RateLimitEntity);
    this.#find = new EntityLookup(ds, RateLimitEntity);
    this.#hit = sqlFor(ds)(HIT);
  }

  /** Admits a try for `key` (to be settled), or false when the window has no room for it. */
  async take(key: string): Promise<boolean> {
    const tries = this.#tries.get(key) ?? this.#tries.set(key, { underWay: 0, reading: 0, failed: 0 }).get(key)!;
    const failedBefore = tries.failed;
    tries.reading++;
    let row: RateLimitEntity | null;
    try {
      row = await this.#find.one({ key });
    } catch (err) {
      // The database away: nothing is admitted, and nothing is left behind for this key.
      tries.reading--;
      this.#forget(key, tries);
      throw err;
    }
    tries.reading--;
    // From here to the count under way nothing else runs, so two tries never both take the last
    // place. Failures counted while the row was being read may be missing from it: they count too.
    const counted = (row && this.#current(row) ? row.count : 0) + (tries.failed - failedBefore);
    const admitted = counted + tries.underWay < this.limit;
    if (admitted) tries.underWay++;
    this.#forget(key, tries);
    return admitted;
  }

  /** Ends a try `take` admitted: a failure is counted before the try stops being under way. */
  async settle(key: string, failed: boolean): Promise<void> {
    const tries = this.#tries.get(key)!;
    try {
      if (failed) {
        await this.hit(key);
        tries.failed++;
      }
    } finally {
      tries.underWay--;
      this.#forget(key, tries);
    }
  }

  #forget(key: string, tries: Tries): void {
    if (tries.underWay === 0 && tries.reading === 0) this.#tries.delete(key);
  }

  async isLimited(key: string): Promise<boolean> {
    const row = await this.#find.one({ key });
    return !!row && this.#current(row) && row.count >= this.limit;
  }

  /** Counts one more event for `key` in the current window (or the first of a new one), in one statement. */
  async hit(key: string): Promise<void> {
    const now = this.clock.now();
    await this.ds.query(this.#hit, [key, now, now - this.windowSeconds * 1000]);
  }

  async reset(key: string): Promise<void> {
    await this.#repo.delete({ key });
  }

  #current(row: RateLimitEntity): boolean {
    return row.windowStart > this.clock.now() - this.windowSeconds * 1000;
  }
}
