// Passwordless sign-in: the passkey names the account. The first factor's rules apply as for the
// password — the address limit, the account lockout, no way in for a disabled or locked account.
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import type { LockoutService } from '../security/lockout.service.js';
import type { RateLimiter } from '../security/rate-limiter.js';
import type { UserService } from '../users/user.service.js';
import type { PasskeyService, VerifiedPasskey } from './passkey.service.js';

export class PasskeyLoginService {
  constructor(
    private readonly passkeys: PasskeyService,
    private readonly users: UserService,
    private readonly lockout: LockoutService,
    private readonly ipLimiter: RateLimiter,
    private readonly audit: AuditService,
  ) {}

  async authenticate(response: AuthenticationResponseJSON, challenge: (c: string) => boolean, ctx: AuditContext): Promise<VerifiedPasskey> {
    const ipKey = `ip:${ctx.ip ?? 'unknown'}`;
    const refuse = async (code: 'login.rate_limited' | 'login.locked' | 'passkey.unknown' | 'passkey.invalid', reason: string, subject: string | null = null): Promise<never> => {
      await this.audit.record({ ...ctx, type: 'login.passkey', outcome: 'failure', subject, details: { reason } });
      throw new AppError(code);
    };
    // As for the password: the try is admitted before the passkey is weighed, and counted if it failed.
    if (!(await this.ipLimiter.take(ipKey))) return refuse('login.rate_limited', 'rate_limited');
    let failed = false;
    try {
      return await this.#weigh(response, challenge, ctx, refuse, () => (failed = true));
    } finally {
      await this.ipLimiter.settle(ipKey, failed);
    }
  }

  async #weigh(
    response: AuthenticationResponseJSON,
    challenge: (c: string) => boolean,
    ctx: AuditContext,
    refuse: (code: 'login.locked' | 'passkey.unknown' | 'passkey.invalid', reason: string, subject?: string | null) => Promise<never>,
    failure: () => void,
  ): Promise<VerifiedPasskey> {
    const passkey = await this.passkeys.find(response);
    const user = passkey ? await this.users.findById(passkey.userId) : null;
    if (!passkey || !user) {
      failure();
      return refuse('passkey.unknown', 'unknown_credential');
    }
    await this.lockout.clearExpired(user);
    if (user.status !== 'active') {
      failure();
      return refuse('passkey.invalid', 'disabled', user.id);
    }
    // As with the password: only a right answer learns of a lock; a wrong one is answered as any wrong one.
    const locked = this.lockout.isLocked(user);
    let verified: VerifiedPasskey;
    try {
      // Alone, a passkey is two factors only with user verification.
      verified = await this.passkeys.verify(passkey, response, { challenge, requireUserVerification: true }, ctx);
    } catch (err) {
      // The engine counts failed factors only once it knows the account: here it is counted at once
      // (not on a locked account: the lock already holds and is not extended).
      if (err instanceof AppError && err.failedFactor) {
        failure();
        await this.audit.record({ ...ctx, type: 'login.passkey', outcome: 'failure', subject: user.id, details: { reason: err.code } });
        if (!locked) await this.lockout.recordFailure(user.id, ctx);
      }
      throw err;
    }
    if (locked) return refuse('login.locked', 'locked', user.id);
    return verified;
  }
}
