// What a user (My Profile) or an administrator can do to an existing soft token: rename, disable,
// enable, delete, reactivate. Guards: never leave an account that needs a token without an active one
// (or a passkey).
import type { SuperadminGuard } from '../users/superadmin-guard.js';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import type { SecurityNoticeService } from '../notices/security-notice.service.js';
import type { SoftTokenEntity } from '../persistence/entities/soft-token.entity.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import type { ActivationService } from './activation.service.js';
import type { AppEnrolment, SoftTokenService } from './soft-token.service.js';

/** An administrator may take a user's last token (the user re-enrols at the next sign-in). */
export interface LossOptions {
  allowLast?: boolean;
}

export class TokenLifecycleService {
  constructor(
    private readonly tokens: SoftTokenService,
    private readonly activations: ActivationService,
    private readonly notices: SecurityNoticeService,
    private readonly audit: AuditService,
    private readonly policy: Config['tokens'],
    private readonly guard: SuperadminGuard,
    /** A passkey is a way in too: with one, the account's last soft token may go. */
    private readonly passkeys?: { has(userId: string): Promise<boolean> },
  ) {}

  async rename(user: UserEntity, tokenId: string, name: string, ctx: AuditContext = {}): Promise<void> {
    const token = await this.tokens.get(user.id, tokenId);
    const clean = name.trim().replace(/\s+/g, ' ');
    if (clean.length < 1 || clean.length > 64) throw new AppError('token.invalid_name');
    const all = await this.tokens.list(user.id);
    if (all.some((t) => t.id !== token.id && t.name.toLowerCase() === clean.toLowerCase())) throw new AppError('token.name_taken');
    const old = token.name;
    await this.tokens.update(token, { name: clean });
    await this.#audit('token.renamed', user, token, ctx, { from: old, to: clean });
  }

  async disable(user: UserEntity, tokenId: string, ctx: AuditContext = {}, options: LossOptions = {}): Promise<void> {
    const token = await this.tokens.get(user.id, tokenId);
    if (token.state !== 'active') throw new AppError('token.not_active');
    await this.#guardLoss(user, token, options);
    await this.tokens.update(token, { state: 'disabled' });
    await this.#audit('token.disabled', user, token, ctx);
  }

  async enable(user: UserEntity, tokenId: string, ctx: AuditContext = {}): Promise<void> {
    const token = await this.tokens.get(user.id, tokenId);
    if (token.state !== 'disabled' || !token.secret || token.activatedAt === null) throw new AppError('token.not_disabled');
    await this.tokens.update(token, { state: 'active', failedAttempts: 0, lockedUntil: null });
    await this.#audit('token.enabled', user, token, ctx);
  }

  async delete(user: UserEntity, tokenId: string, ctx: AuditContext = {}, options: LossOptions = {}): Promise<void> {
    const token = await this.tokens.get(user.id, tokenId);
    if (token.state === 'active') await this.#guardLoss(user, token, options);
    await this.tokens.remove(token);
    await this.#audit('token.deleted', user, token, ctx);
    await this.notices.notify(user, 'token_deleted', { tokenName: token.name, serial: token.serial }, ctx);
  }

  /**
   * A new activation for an existing token; the old secret is dead at once. The softtoken app gets
   * a new e-mail; an authenticator app gets a new QR code (returned).
   */
  async reactivate(user: UserEntity, tokenId: string, ctx: AuditContext = {}, options: LossOptions = {}): Promise<AppEnrolment | undefined> {
    const token = await this.tokens.get(user.id, tokenId);
    // Reactivating an active token kills its secret: for the owner that is a loss like disabling it.
    if (token.state === 'active' && !options.allowLast) await this.#guardLoss(user, token, options);
    let enrolment: AppEnrolment | undefined;
    if (token.kind === 'softtoken') {
      await this.activations.issue(user, token, ctx);
    } else {
      enrolment = await this.tokens.renewAppSecret(user, token);
    }
    await this.#audit('token.reactivated', user, token, ctx);
    await this.notices.notify(user, 'token_reactivated', { tokenName: token.name, serial: token.serial }, ctx);
    return enrolment;
  }

  /** Sends the activation e-mail of a pending softtoken-app token again (a new one if it expired). */
  async resend(user: UserEntity, tokenId: string, ctx: AuditContext = {}): Promise<void> {
    const token = await this.tokens.get(user.id, tokenId);
    if (token.kind !== 'softtoken' || token.state !== 'pending') throw new AppError('token.not_pending');
    const current = await this.activations.current(token);
    if (current && !current.expired) await this.activations.sendMail(user, current, ctx);
    else await this.activations.issue(user, token, ctx);
  }

  /** An administrator assigns a token: the softtoken app's activation e-mail goes to the user. */
  async assign(user: UserEntity, name: string | undefined, ctx: AuditContext = {}): Promise<SoftTokenEntity> {
    const token = await this.tokens.createForSofttoken(user, name, ctx);
    await this.activations.issue(user, token, ctx);
    return token;
  }

  /**
   * Resynchronises a drifted token from two consecutive codes (RFC 4226 §7.4): both must match
   * adjacent time steps within the look-ahead window; the drift is then remembered.
   */
  async resync(user: UserEntity, tokenId: string, first: string, second: string, ctx: AuditContext = {}): Promise<number> {
    const token = await this.tokens.get(user.id, tokenId);
    if (token.state !== 'active' || !token.secret) throw new AppError('token.not_active');
    const drift = await this.tokens.findConsecutive(token, first, second, this.policy.resetLookAhead);
    if (drift === null) {
      await this.audit.record({ ...ctx, type: 'token.reset', outcome: 'failure', subject: user.id, details: { serial: token.serial } });
      throw new AppError('token.reset_invalid');
    }
    await this.#audit('token.reset', user, token, ctx, { drift });
    return drift;
  }

  async #guardLoss(user: UserEntity, token: SoftTokenEntity, options: LossOptions): Promise<void> {
    await this.guard.beforeTokenLoss(user, token);
    if (!this.policy.required || options.allowLast) return;
    const others = (await this.tokens.list(user.id)).filter((t) => t.state === 'active' && t.id !== token.id);
    if (!others.length && !(await this.passkeys?.has(user.id))) throw new AppError('token.last_active');
  }

  #audit(type: string, user: UserEntity, token: SoftTokenEntity, ctx: AuditContext, details: Record<string, unknown> = {}): Promise<void> {
    return this.audit.record({ ...ctx, type, outcome: 'success', subject: user.id, details: { serial: token.serial, ...details } });
  }
}
