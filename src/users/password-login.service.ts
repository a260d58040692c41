// The first factor's rules: rate limit per address, lockout per account, one answer for an unknown
// user, a wrong password and a wrong password on a locked account, equal work either way.
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import type { LockoutService } from '../security/lockout.service.js';
import type { RateLimiter } from '../security/rate-limiter.js';
import type { PasswordHasher } from './password-hasher.js';
import type { UserService } from './user.service.js';
import type { Clock } from '../support/clock.js';

export class PasswordLoginService {
  constructor(
    private readonly users: UserService,
    private readonly hasher: PasswordHasher,
    private readonly lockout: LockoutService,
    private readonly ipLimiter: RateLimiter,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async authenticate(login: string, password: string, ctx: AuditContext): Promise<UserEntity> {
    const ipKey = `ip:${ctx.ip ?? 'unknown'}`;
    // The try is admitted before the password is weighed (so passwords sent at once get no more
    // tries), and counted once it has failed.
    if (!(await this.ipLimiter.take(ipKey))) {
      await this.audit.record({ ...ctx, type: 'login.password', outcome: 'failure', details: { reason: 'rate_limited', login } });
      throw new AppError('login.rate_limited');
    }
    let failed = false;
    try {
      return await this.#weigh(login, password, ctx, () => (failed = true));
    } finally {
      await this.ipLimiter.settle(ipKey, failed);
    }
  }

  /** The password weighed; `failure` is called for a try that counts against the address. */
  async #weigh(login: string, password: string, ctx: AuditContext, failure: () => void): Promise<UserEntity> {
    const user = await this.users.findByLogin(login);
    const hash = user ? await this.users.passwordHash(user.id) : null;
    const ok = user && hash ? await this.hasher.verifyEvenly(hash, password) : await this.hasher.verifyDummy(password);

    if (user) await this.lockout.clearExpired(user);
    const locked = !!user && this.lockout.isLocked(user);
    // Only the right password learns of a lock; a wrong one gets the answer any wrong password gets, so the
    // lock tells nobody that the account exists. It is audited, but neither counts nor extends the lock.
    if (locked && ok && user.status === 'active') {
      await this.audit.record({ ...ctx, type: 'login.password', outcome: 'failure', subject: user.id, details: { reason: 'locked' } });
      throw new AppError('login.locked');
    }
    if (!ok || !user || user.status !== 'active') {
      failure();
      if (user && !ok && !locked) await this.lockout.recordFailure(user.id, ctx);
      const reason = !user ? 'unknown_user' : locked ? 'locked' : !ok ? 'wrong_password' : 'disabled';
      await this.audit.record({ ...ctx, type: 'login.password', outcome: 'failure', subject: user?.id ?? null, details: { reason, login, ...(locked ? { wrongPassword: !ok } : {}) } });
      throw new AppError('login.invalid_credentials');
    }
    if (user.temporaryPasswordUntil !== null && this.clock.now() > user.temporaryPasswordUntil) {
      // A temporary password the user never replaced: an administrator sets a new one.
      await this.audit.record({ ...ctx, type: 'login.password', outcome: 'failure', subject: user.id, details: { reason: 'temporary_password_expired' } });
      throw new AppError('login.password_expired');
    }
    await this.audit.record({ ...ctx, type: 'login.password', outcome: 'success', subject: user.id });
    if (hash && this.hasher.needsRehash(hash) && (await this.users.rehashPassword(user.id, hash, password))) {
      await this.audit.record({ ...ctx, type: 'password.rehashed', outcome: 'success', subject: user.id, details: { from: this.hasher.parametersOf(hash) } });
    }
    return user;
  }
}
