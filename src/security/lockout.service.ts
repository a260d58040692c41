// Account lockout: consecutive failures of any factor lock the account until the lifetime passes
// (or, with a lifetime of 0, until an administrator unlocks it).
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import { UserEntity } from '../persistence/entities/user.entity.js';
import type { Clock } from '../support/clock.js';

export class LockoutService {
  readonly #users: Repository<UserEntity>;

  constructor(
    ds: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly policy: Config['lockout'],
  ) {
    this.#users = ds.getRepository(UserEntity);
  }

  isLocked(user: Pick<UserEntity, 'lockedAt' | 'lockedUntil'>): boolean {
    if (user.lockedAt === null) return false;
    return user.lockedUntil === null || user.lockedUntil > this.clock.now();
  }

  /** Counts a failed factor; returns true when this failure locked the account. */
  async recordFailure(userId: string, ctx: AuditContext = {}): Promise<boolean> {
    await this.#users.increment({ id: userId }, 'failedLogins', 1);
    const user = await this.#users.findOneByOrFail({ id: userId });
    if (user.failedLogins < this.policy.threshold || this.isLocked(user)) return false;
    const now = this.clock.now();
    await this.#users.update(
      { id: userId },
      { lockedAt: now, lockedUntil: this.policy.duration > 0 ? now + this.policy.duration * 1000 : null, updatedAt: now },
    );
    await this.audit.record({ ...ctx, type: 'account.locked', outcome: 'success', subject: userId, details: { failures: user.failedLogins } });
    return true;
  }

  /** Failures the account may still have before it locks; null before the first (pages warn after one). */
  async triesLeft(userId: string): Promise<number | null> {
    const user = await this.#users.findOneBy({ id: userId });
    if (!user || user.failedLogins === 0 || this.isLocked(user)) return null;
    return Math.max(0, this.policy.threshold - user.failedLogins);
  }

  /** A completed sign-in clears the count (and an expired lock). */
  async recordSuccess(userId: string): Promise<void> {
    await this.#users.update({ id: userId }, { failedLogins: 0, lockedAt: null, lockedUntil: null, lastLoginAt: this.clock.now() });
  }

  async unlock(userId: string, ctx: AuditContext = {}): Promise<void> {
    await this.#users.update({ id: userId }, { failedLogins: 0, lockedAt: null, lockedUntil: null, updatedAt: this.clock.now() });
    await this.audit.record({ ...ctx, type: 'account.unlocked', outcome: 'success', subject: userId });
  }

  /** An expired temporary lock starts the count afresh. */
  async clearExpired(user: UserEntity): Promise<void> {
    if (user.lockedAt !== null && !this.isLocked(user)) {
      await this.#users.update({ id: user.id }, { failedLogins: 0, lockedAt: null, lockedUntil: null });
      Object.assign(user, { failedLogins: 0, lockedAt: null, lockedUntil: null });
    }
  }
}
