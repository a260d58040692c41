// Fixed-window failure counters in the database (shared by every process), e.g. per client address.
//
// `take` counts a try before the work it limits and says whether the window has room for it, in one
// statement: of any number of tries sent at once no more than the limit get through (checking first
// and counting after the work would let every try that arrived before the first was counted through).
// A try that turns out not to be a failure is given back. `isLimited` and `hit` check and count apart.
import type { DataSource, Repository } from 'typeorm';
import { RateLimitEntity } from '../persistence/entities/rate-limit.entity.js';
import { EntityLookup } from '../persistence/entity-lookup.js';
import { KeptUpdate, returnedRows, sqlFor } from '../persistence/kept-update.js';
import type { Clock } from '../support/clock.js';

/** One more try in the live window, or the first of a new one; the count after it. */
const TAKE = `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN rate_limits.window_start > $3 THEN rate_limits.count + 1 ELSE 1 END,
    window_start = CASE WHEN rate_limits.window_start > $3 THEN rate_limits.window_start ELSE $2 END
  RETURNING count`;

export class RateLimiter {
  readonly #repo: Repository<RateLimitEntity>;
  readonly #find: EntityLookup<RateLimitEntity>;
  readonly #take: string;
  readonly #giveBack: KeptUpdate;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowSeconds: number,
  ) {
    this.#repo = ds.getRepository(RateLimitEntity);
    this.#find = new EntityLookup(ds, RateLimitEntity);
    this.#take = sqlFor(ds)(TAKE);
    this.#giveBack = new KeptUpdate(ds, 'UPDATE rate_limits SET count = count - 1 WHERE key = $1 AND window_start > $2 AND count > 0');
  }

  /** Counts a try for `key` now; false when the window's tries are spent (the try is refused). */
  async take(key: string): Promise<boolean> {
    const now = this.clock.now();
    const [row] = returnedRows<{ count: number | string }>(await this.ds.query(this.#take, [key, now, now - this.windowSeconds * 1000]));
    return Number(row?.count) <= this.limit;
  }

  /** Gives back a try `take` counted that was not a failure. */
  async giveBack(key: string): Promise<void> {
    await this.#giveBack.run([key, this.clock.now() - this.windowSeconds * 1000]);
  }

  async isLimited(key: string): Promise<boolean> {
    const row = await this.#find.one({ key });
    return !!row && this.#current(row) && row.count >= this.limit;
  }

  /** Counts one more event for `key` in the current window. */
  async hit(key: string): Promise<void> {
    const now = this.clock.now();
    const since = now - this.windowSeconds * 1000;
    const bumped = await this.#repo
      .createQueryBuilder()
      .update()
      .set({ count: () => 'count + 1' })
      .where('key = :key AND window_start > :since', { key, since })
      .execute();
    if (bumped.affected) return;
    // No live window: start one. Another process may race us; the loser just bumps theirs.
    await this.#repo.delete({ key });
    try {
      await this.#repo.insert({ key, windowStart: now, count: 1 });
    } catch {
      await this.#repo.increment({ key }, 'count', 1);
    }
  }

  async reset(key: string): Promise<void> {
    await this.#repo.delete({ key });
  }

  #current(row: RateLimitEntity): boolean {
    return row.windowStart > this.clock.now() - this.windowSeconds * 1000;
  }
}
