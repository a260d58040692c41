// The soft token as a second factor: any active token of the user may answer; each time step is
// accepted once per token; consecutive failures lock the tokens for the lockout lifetime.
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import { SoftTokenEntity } from '../persistence/entities/soft-token.entity.js';
import type { Clock } from '../support/clock.js';
import { normalizeDigits } from './activation-crypto.js';
import type { SoftTokenService } from './soft-token.service.js';
import { verifyTotp } from './totp.js';

export class TokenVerifier {
  readonly #repo: Repository<SoftTokenEntity>;

  constructor(
    ds: DataSource,
    private readonly clock: Clock,
    private readonly tokens: SoftTokenService,
    private readonly audit: AuditService,
    private readonly policy: Config['tokens'],
    private readonly lockout: { duration: number },
  ) {
    this.#repo = ds.getRepository(SoftTokenEntity);
  }

  async verify(userId: string, code: string, ctx: AuditContext = {}): Promise<SoftTokenEntity> {
    const now = this.clock.now();
    const active = await this.#repo.findBy({ userId, state: 'active' });
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
      // Claim the step atomically: a replay racing this request finds last_step already moved.
      const claimed = await this.#repo
        .createQueryBuilder()
        .update()
        .set({ lastStep: match.step, drift: match.drift, failedAttempts: 0, lockedUntil: null, lastUsedAt: now })
        .where('id = :id AND (last_step IS NULL OR last_step < :step)', { id: token.id, step: match.step })
        .execute();
      if (!claimed.affected) break;
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
      await this.#repo.update(
        { id: token.id },
        { failedAttempts: failures, lockedUntil: lock ? (this.lockout.duration > 0 ? now + this.lockout.duration * 1000 : null) : expired ? null : token.lockedUntil },
      );
    }
  }
}
