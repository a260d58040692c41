// Account lockout: consecutive failures of any factor lock the account until the lifetime passes
// (or, with a lifetime of 0, until an administrator unlocks it).
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import type { Clock } from '../support/clock.js';
import type { UserService } from '../users/user.service.js';

export class LockoutService {
  /** Tries `take` admitted in this process and not yet settled, by account. */
  readonly #underWay = new Map<string, number>();

  constructor(
    private readonly users: UserService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly policy: Config['lockout'],
  ) {}

  isLocked(user: Pick<UserEntity, 'lockedAt' | 'lockedUntil'>): boolean {
    if (user.lockedAt === null) return false;
    return user.lockedUntil === null || user.lockedUntil > this.clock.now();
  }

  /** Counts a failed factor; returns true when this failure locked the account. */
  async recordFailure(userId: string, ctx: AuditContext = {}): Promise<boolean> {
    await this.users.countFailure(userId);
    // Of failures counted at once, one locks; tries of this process still under way are not failures yet.
    return this.#lockIfReached(userId, this.#underWay.get(userId) ?? 0, ctx);
  }

  /**
   * Admits a try of a secret that only this lockout limits (security answers) before it is weighed:
   * the try is counted as a failure at once, in one UPDATE that admits none once the failures and
   * the tries under way reach the threshold, so of answers sent at once no more are weighed than
   * the tries left (counting after the weighing let them all through). Each try admitted is
   * `settle`d. False when no try is left. With tries of this process under way, they settle it;
   * without, the count has reached the threshold with no lock (a lower threshold set since, a try
   * that never ended, or another process's tries under way), and the account locks now, so that
   * it never stays without tries and without a lock that runs out.
   */
  async take(user: UserEntity, ctx: AuditContext = {}): Promise<boolean> {
    await this.clearExpired(user);
    for (let attempt = 1; attempt <= 2; attempt++) {
      if (await this.users.takeTry(user.id, this.policy.threshold)) {
        this.#underWay.set(user.id, (this.#underWay.get(user.id) ?? 0) + 1);
        return true;
      }
      if (this.#underWay.has(user.id) || (await this.#lockIfReached(user.id, 0, ctx))) return false;
      const now = await this.users.findById(user.id);
      if (!now || this.isLocked(now)) return false;
    }
    return false;
  }

  /**
   * Ends a try `take` admitted: a failure stays counted, and locks the account once the failures
   * reach the threshold, not counting the other tries of this process still under way (true: this
   * failure locked it); anything else gives the try back.
   */
  async settle(userId: string, failed: boolean, ctx: AuditContext = {}): Promise<boolean> {
    // No longer under way from here: of failures settled at once, the last to start sees none.
    const others = (this.#underWay.get(userId) ?? 1) - 1;
    if (others > 0) this.#underWay.set(userId, others);
    else this.#underWay.delete(userId);
    if (failed) return this.#lockIfReached(userId, others, ctx);
    await this.users.giveBackTry(userId);
    return false;
  }

  /**
   * Locks the account if its count, less `underWay` tries not yet settled, has reached the
   * threshold and no lock is set; true when this call locked it.
   */
  async #lockIfReached(userId: string, underWay: number, ctx: AuditContext): Promise<boolean> {
    const now = this.clock.now();
    const until = this.policy.duration > 0 ? now + this.policy.duration * 1000 : null;
    const failures = await this.users.lockIfReached(userId, this.policy.threshold + underWay, now, until);
    if (failures === null) return false;
    await this.audit.record({ ...ctx, type: 'account.locked', outcome: 'success', subject: userId, details: { failures: failures - underWay } });
    return true;
  }

  /** Failures the account may still have before it locks; null before the first (pages warn after one). */
  async triesLeft(userId: string): Promise<number | null> {
    const user = await this.users.findById(userId);
    return user ? this.triesLeftOf(user) : null;
  }

  /** The same, from an account read in this request. */
  triesLeftOf(user: Pick<UserEntity, 'failedLogins' | 'lockedAt' | 'lockedUntil'>): number | null {
    if (user.failedLogins === 0 || this.isLocked(user)) return null;
    return Math.max(0, this.policy.threshold - user.failedLogins);
  }

  /**
   * A completed sign-in clears the count (and an expired lock). False when the account was locked or
   * disabled while the sign-in was under way: the lock stays, and the sign-in must not complete.
   */
  async recordSuccess(userId: string): Promise<boolean> {
    return this.users.signedIn(userId, this.clock.now());
  }

  async unlock(userId: string, ctx: AuditContext = {}): Promise<void> {
    await this.users.update(userId, { failedLogins: 0, lockedAt: null, lockedUntil: null });
    await this.audit.record({ ...ctx, type: 'account.unlocked', outcome: 'success', subject: userId });
  }

  /**
   * An expired temporary lock starts the count afresh. Only that lock is cleared: if failures have
   * locked the account again since `user` was read, `user` is given the new lock instead.
   */
  async clearExpired(user: UserEntity): Promise<void> {
    if (user.lockedAt === null || this.isLocked(user)) return;
    if (await this.users.clearExpiredLock(user.id, user.lockedAt, this.clock.now())) {
      Object.assign(user, { failedLogins: 0, lockedAt: null, lockedUntil: null });
      return;
    }
    const now = await this.users.findById(user.id);
    if (now) Object.assign(user, { failedLogins: now.failedLogins, lockedAt: now.lockedAt, lockedUntil: now.lockedUntil });
  }
}
