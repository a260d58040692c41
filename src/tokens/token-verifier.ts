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
    // A try is taken on every token that may answer before the code is weighed (tokens.takeTry), so
    // that of codes sent at once no more than the limit are weighed; the tokens that did not answer
    // give theirs back.
    const tries = new Map<SoftTokenEntity, number>();
    for (const token of active) {
      if (this.#locked(token, now)) continue;
      const count = await this.tokens.takeTry(token, this.policy.maxFailures, now);
      if (count !== null) tries.set(token, count);
    }
    if (active.length && !tries.size) throw new AppError('totp.locked');
    const input = normalizeDigits(code);
    for (const token of tries.keys()) {
      // The window is centred where this device's clock was last seen (its remembered drift).
      const params = this.tokens.params(token);
      const centre = now + token.drift * params.period * 1000;
      const found = verifyTotp(this.tokens.secretOf(token), input, params, centre, this.policy.window, token.lastStep);
      if (!found) continue;
      const match = { step: found.step, drift: token.drift + found.drift };
      // The claim clears this token's count.
      if (!(await this.tokens.claimStep(token, match.step, match.drift, now))) break;
      for (const other of tries.keys()) if (other !== token) await this.tokens.giveBackTry(other);
      await this.audit.record({ ...ctx, type: 'token.verified', outcome: 'success', subject: userId, details: { serial: token.serial, drift: match.drift } });
      return token;
    }
    // The tries stay counted; a token whose tries this spent is locked for the lockout lifetime (with
    // a lifetime of 0 the count alone locks it, until an administrator resets it).
    if (this.lockout.duration > 0) {
      for (const [token, count] of tries) if (count >= this.policy.maxFailures) await this.tokens.lockUntil(token, now + this.lockout.duration * 1000, this.policy.maxFailures);
    }
    throw new AppError('totp.invalid');
  }

  #locked(token: SoftTokenEntity, now: number): boolean {
    if (token.failedAttempts < this.policy.maxFailures) return false;
    return token.lockedUntil === null || token.lockedUntil > now;
  }
}
