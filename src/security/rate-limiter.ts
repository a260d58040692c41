// Fixed-window failure counters in the database (shared by every process), e.g. per client address.
import type { DataSource, Repository } from 'typeorm';
import { RateLimitEntity } from '../persistence/entities/rate-limit.entity.js';
import { EntityLookup } from '../persistence/entity-lookup.js';
import type { Clock } from '../support/clock.js';

export class RateLimiter {
  readonly #repo: Repository<RateLimitEntity>;
  readonly #find: EntityLookup<RateLimitEntity>;

  constructor(
    ds: DataSource,
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowSeconds: number,
  ) {
    this.#repo = ds.getRepository(RateLimitEntity);
    this.#find = new EntityLookup(ds, RateLimitEntity);
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
