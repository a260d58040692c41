// The soft token as a second factor: any active token of the user may answer; each time step is
// accepted once per token; consecutive failures lock the tokens for the lockout lifetime. The rows
// are the token service's: this class decides, the service writes.
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import type { SoftTokenEntity } from '../persistence/entities/soft-token.entity.js';
import type { Clock } from '../support/clock.js';
import { normalizeDigits } from './activation-crypto.js';
import type { SoftTokenService } from './soft-token.service.js';
import { verifyTotp } from './totp.js';

export class TokenVerifier {
  constructor(
    private readonly clock: Clock,
    private readonly tokens: SoftTokenService,
    private readonly audit: AuditService,
    private readonly policy: Config['tokens'],
    private readonly lockout: { duration: number },
  ) {}

  async verify(userId: string, code: string, ctx: AuditContext = {}): Promise<SoftTokenEntity> {
    const now = this.clock.now();
    const active = await this.tokens.active(userId);
    const usable = active.filter((t) => !this.#locked(t, now));
    if (active.length && !usable.length) throw new AppError('totp.locked');
    const input = normalizeDigits(code);
    for (const token of usable) {
      // The window is centred where this device's clock was last seen (its remembered drift).
      const params = this.tokens.params(token);
      const centre = now + token.drift * params.period * 1000;
      const found = verifyTotp(this.tokens.secretOf(token), input, params, centre, this.policy.window, token.lastStep);
      if (!found) continue;
      const match = { step: found.step, drift: token.drift + found.drift };
      if (!(await this.tokens.claimStep(token, match.step, match.drift, now))) break;
      await this.audit.record({ ...ctx, type: 'token.verified', outcome: 'success', subject: userId, details: { serial: token.serial, drift: match.drift } });
      return token;
    }
    await this.#fail(usable, now);
    throw new AppError('totp.invalid');
  }

  #locked(token: SoftTokenEntity, now: number): boolean {
    if (token.failedAttempts < this.policy.maxFailures) return false;
    return token.lockedUntil === null || token.lockedUntil > now;
  }

  async #fail(tokens: SoftTokenEntity[], now: number): Promise<void> {
    for (const token of tokens) {
      // A lock that has run out starts the count afresh.
      const expired = token.lockedUntil !== null && token.lockedUntil <= now;
      const failures = (expired ? 0 : token.failedAttempts) + 1;
      const lock = failures >= this.policy.maxFailures;
      await this.tokens.recordFailure(token, failures, lock ? (this.lockout.duration > 0 ? now + this.lockout.duration * 1000 : null) : expired ? null : token.lockedUntil);
    }
  }
}
