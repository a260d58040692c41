// "I've forgotten my password": the rules, without Koa. The account is named by username or e-mail
// with the same work and answer whether or not it exists; it is then proven with a possession factor
// it already holds (soft token, passkey, recovery code, or a PIN to the number on file — by e-mail
// only for an account with nothing stronger) and, by setting, its security questions; then a new
// password under the usual rules. A locked account stays locked; attempts are limited per account
// and per address, and audited. The reset proves nothing to a sign-in: the user signs in afterwards.
import { randomUUID } from 'node:crypto';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { AuthenticatorKind } from '../authenticators/registry.js';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import type { MessageCode } from '../errors/messages.js';
import type { PinChannel } from '../persistence/entities/one-time-pin.entity.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import type { PasskeyService } from '../passkeys/passkey.service.js';
import type { OneTimePinService } from '../pins/one-time-pin.service.js';
import type { SecurityQuestionService } from '../questions/security-question.service.js';
import type { LockoutService } from '../security/lockout.service.js';
import type { RateLimiter } from '../security/rate-limiter.js';
import type { SoftTokenService } from '../tokens/soft-token.service.js';
import type { TokenVerifier } from '../tokens/token-verifier.js';
import type { UserAdminService } from '../users/user-admin.service.js';
import type { UserService } from '../users/user.service.js';
import type { RecoveryCodeService } from './recovery-code.service.js';

/** Who the user said they are: an account id, or null for a name no active account has. */
export interface Claimant {
  subject: string | null;
  /** The name as typed (normalised): the limit's key for a name that names no one. */
  login: string;
}

export interface ForgotLimiters {
  account: RateLimiter;
  ip: RateLimiter;
}

type Method = 'soft-token' | 'passkey' | 'recovery-code' | 'pin' | 'questions';

/** What a wrong answer of each kind says: a name that names no one gets the same words. */
const WRONG: Record<Method, MessageCode> = {
  'soft-token': 'totp.invalid',
  passkey: 'passkey.invalid',
  'recovery-code': 'recovery_code.invalid',
  pin: 'pin.invalid',
  questions: 'qa.invalid',
};

export class ForgotPasswordService {
  constructor(
    private readonly users: UserService,
    private readonly lockout: LockoutService,
    private readonly tokens: SoftTokenService,
    private readonly verifier: TokenVerifier,
    private readonly passkeys: PasskeyService,
    private readonly codes: RecoveryCodeService,
    private readonly pins: OneTimePinService,
    private readonly questions: SecurityQuestionService,
    private readonly userAdmin: UserAdminService,
    private readonly audit: AuditService,
    private readonly limiters: ForgotLimiters,
    // Live policy objects: administrator settings change them in place.
    private readonly policy: Config['recovery'],
    private readonly pinPolicy: Config['pin'],
  ) {}

  /**
   * Names the account. An unknown or disabled one takes the same path (one look-up, the limits, one
   * audit event) and gets the same answer: nothing here depends on what the account holds.
   */
  async identify(login: string, ctx: AuditContext): Promise<Claimant> {
    const name = login.trim().toLowerCase().slice(0, 254);
    if (!name) throw new AppError('forgot.missing_login');
    const user = await this.users.findByLogin(name);
    const claimant = { subject: user && user.status === 'active' ? user.id : null, login: name };
    await this.#count(claimant, ctx, 'started', user?.id ?? null);
    return claimant;
  }

  /** Checks a soft token code from any of the account's active tokens. */
  proveSoftToken(claimant: Claimant, code: string, ctx: AuditContext): Promise<AuthenticatorKind> {
    return this.#prove(claimant, ctx, 'soft-token', async (user) => {
      await this.verifier.verify(user.id, code.slice(0, 20), ctx);
      return 'soft-token';
    });
  }

  proveRecoveryCode(claimant: Claimant, code: string, ctx: AuditContext): Promise<AuthenticatorKind> {
    return this.#prove(claimant, ctx, 'recovery-code', async (user) => {
      await this.codes.consume(user, code, ctx);
      return 'recovery-code';
    });
  }

  /** A passkey of this account (the page offered any passkey, so as not to list the account's). */
  provePasskey(claimant: Claimant, response: AuthenticationResponseJSON, challenge: (c: string) => boolean, ctx: AuditContext): Promise<AuthenticatorKind> {
    return this.#prove(claimant, ctx, 'passkey', async (user) => {
      const passkey = await this.passkeys.find(response, user.id);
      if (!passkey) throw new AppError('passkey.invalid');
      await this.passkeys.verify(passkey, response, { challenge, requireUserVerification: false }, ctx);
      return 'passkey';
    });
  }

  /**
   * Sends a PIN where the account can receive one: by SMS to its mobile number; by e-mail only when
   * it holds nothing stronger (no mobile number, soft token, passkey or recovery code). The answer
   * does not wait for the delivery, so its timing says nothing about the account either.
   */
  async sendPin(claimant: Claimant, purpose: string, ctx: AuditContext): Promise<void> {
    // A locked account is sent nothing, and answered as a name that names no one would be.
    const user = await this.#ready(claimant, ctx, { locked: 'as-unknown' });
    await this.#count(claimant, ctx, 'pin_requested', user?.id ?? null);
    const channel = await this.#pinChannel(user);
    if (user && channel) {
      void this.pins.send(user, purpose, channel, { ...ctx, actor: user.id }).catch(() => {
        // A delivery failure is audited by the delivery service; the user may ask for a new PIN.
      });
    }
    await this.audit.record({ ...ctx, type: 'password.forgot_pin', outcome: channel ? 'success' : 'failure', subject: user?.id ?? null, details: { channel: channel ?? 'none' } });
  }

  provePin(claimant: Claimant, purpose: string, pin: string, ctx: AuditContext): Promise<AuthenticatorKind> {
    return this.#prove(claimant, ctx, 'pin', async (user) => {
      if (!/^\d{4,10}$/.test(pin.replace(/\s+/g, ''))) throw new AppError('pin.invalid');
      const channel = await this.pins.verify(user.id, purpose, pin);
      return channel === 'sms' ? 'sms-pin' : 'mail-pin';
    });
  }

  /** The questions to ask after the possession factor, or none (the setting is off, or the account has none). */
  async questionsFor(userId: string): Promise<string[]> {
    if (!this.policy.forgotQuestions || !(await this.questions.hasEnough(userId))) return [];
    return this.questions.challenge(userId);
  }

  async proveQuestions(claimant: Claimant, asked: string[], answers: string[], ctx: AuditContext): Promise<void> {
    await this.#prove(claimant, ctx, 'questions', async (user) => {
      await this.questions.verify(user.id, asked, answers, ctx);
      return 'security-questions';
    });
  }

  /**
   * The new password, under the rules of any password (length, common passwords, history): every
   * session and token of the account ends, and the owner is told. A lock set meanwhile still holds.
   */
  async reset(claimant: Claimant, password: string, confirm: string, proofs: AuthenticatorKind[], ctx: AuditContext): Promise<void> {
    const user = await this.#ready(claimant, ctx);
    if (!user) throw new AppError('flow.expired');
    if (password !== confirm) throw new AppError('password.mismatch');
    const audit = { ...ctx, actor: user.id };
    await this.userAdmin.setPassword(user.id, password, audit, { notice: 'password_reset' });
    await this.audit.record({ ...audit, type: 'password.forgot_completed', outcome: 'success', subject: user.id, details: { proofs } });
  }

  /** How many more failures the account takes before it locks (for the page to say). */
  async triesLeft(claimant: Claimant): Promise<number | null> {
    return claimant.subject ? this.lockout.triesLeft(claimant.subject) : null;
  }

  /**
   * Runs one proof: within the limits, for a live unlocked account; a failure counts against both
   * limits and the account. Each try is admitted before it is weighed, by both limits and by the
   * account's lockout (rate-limiter.ts, LockoutService.take), so of proofs sent at once no more are
   * weighed than they allow.
   */
  async #prove(claimant: Claimant, ctx: AuditContext, method: Method, check: (user: UserEntity) => Promise<AuthenticatorKind>): Promise<AuthenticatorKind> {
    const keys = this.#keys(claimant, ctx);
    await this.#take(claimant, ctx, keys);
    let failed = false;
    try {
      return await this.#weigh(claimant, ctx, method, check, () => (failed = true));
    } finally {
      try {
        await this.limiters.ip.settle(keys.ip, failed);
      } finally {
        await this.limiters.account.settle(keys.account, failed);
      }
    }
  }

  /** A try admitted by both limits; refused (audited) when either has no room left. */
  async #take(claimant: Claimant, ctx: AuditContext, keys: { ip: string; account: string }): Promise<void> {
    if (await this.limiters.ip.take(keys.ip)) {
      let admitted = false;
      try {
        admitted = await this.limiters.account.take(keys.account);
      } finally {
        if (!admitted) await this.limiters.ip.settle(keys.ip, false);
      }
      if (admitted) return;
    }
    await this.#refuseLimited(claimant, ctx, claimant.subject);
  }

  /** The proof weighed; `failure` is called for a try that counts against the limits. */
  async #weigh(claimant: Claimant, ctx: AuditContext, method: Method, check: (user: UserEntity) => Promise<AuthenticatorKind>, failure: () => void): Promise<AuthenticatorKind> {
    const user = await this.#ready(claimant, ctx, { locked: 'returned', limits: false });
    const failedFactor = (err: unknown) => err instanceof AppError && err.failedFactor;
    // A name that names no one fails as a wrong answer would.
    if (!user) {
      failure();
      await this.#proofFailed(ctx, null, method, WRONG[method]);
      throw new AppError(WRONG[method]);
    }
    // No try left on the account (its last ones under way, or it locks now): this proof is not
    // weighed, and fails as a wrong one does for any name.
    if (!this.lockout.isLocked(user) && !(await this.lockout.take(user, ctx))) {
      failure();
      await this.#proofFailed(ctx, user.id, method, 'no_try_left');
      throw new AppError(WRONG[method]);
    }
    // A locked account: only a right answer learns of the lock; a wrong one is told it is wrong, as
    // for any name, and counts against the limits as any would, but not against the account (the
    // lock already holds).
    if (this.lockout.isLocked(user)) {
      const kind = await check(user).catch((err: unknown) => {
        if (failedFactor(err)) failure();
        throw err;
      });
      await this.audit.record({ ...ctx, type: 'password.forgot', outcome: 'failure', subject: user.id, details: { reason: 'locked', method: kind } });
      throw new AppError('login.locked');
    }
    let kind: AuthenticatorKind;
    try {
      kind = await check(user);
    } catch (err) {
      // The try is settled first: nothing that follows can leave it counted without its lock.
      const locked = await this.lockout.settle(user.id, failedFactor(err), ctx);
      if (!failedFactor(err)) throw err;
      failure();
      await this.#proofFailed(ctx, user.id, method, (err as AppError).code);
      if (locked) throw new AppError('login.locked');
      throw err;
    }
    await this.lockout.settle(user.id, false);
    await this.audit.record({ ...ctx, type: 'password.forgot_proof', outcome: 'success', subject: user.id, details: { method: kind } });
    return kind;
  }

  #proofFailed(ctx: AuditContext, subject: string | null, method: Method, reason: string): Promise<void> {
    return this.audit.record({ ...ctx, type: 'password.forgot_proof_failed', outcome: 'failure', subject, details: { method, reason } });
  }

  /**
   * Within the limits; the live account, or null for a name that names no one. A locked account is
   * refused (`refused`), taken for no one (`as-unknown`), or handed back for the caller to decide (`returned`).
   */
  async #ready(
    claimant: Claimant,
    ctx: AuditContext,
    { locked = 'refused', limits = true }: { locked?: 'refused' | 'as-unknown' | 'returned'; limits?: boolean } = {},
  ): Promise<UserEntity | null> {
    if (limits) await this.#underLimits(claimant, ctx, claimant.subject);
    if (!claimant.subject) return null;
    const user = await this.users.findById(claimant.subject);
    if (!user || user.status !== 'active') return null;
    await this.lockout.clearExpired(user);
    if (!this.lockout.isLocked(user) || locked === 'returned') return user;
    await this.audit.record({ ...ctx, type: 'password.forgot', outcome: 'failure', subject: user.id, details: { reason: 'locked' } });
    if (locked === 'as-unknown') return null;
    throw new AppError('login.locked');
  }

  /** One attempt (a reset started, a PIN asked for) against the account's and the address's limits, audited. */
  async #count(claimant: Claimant, ctx: AuditContext, what: 'started' | 'pin_requested', subject: string | null): Promise<void> {
    const keys = this.#keys(claimant, ctx);
    if (what === 'started') await this.#underLimits(claimant, ctx, subject);
    await this.limiters.ip.hit(keys.ip);
    await this.limiters.account.hit(keys.account);
    await this.audit.record({ ...ctx, type: `password.forgot_${what}`, outcome: 'success', subject, details: what === 'started' ? { login: claimant.login } : {} });
  }

  /** Refuses (audited) once the account's or the address's attempts in the window are spent. */
  async #underLimits(claimant: Claimant, ctx: AuditContext, subject: string | null): Promise<void> {
    const keys = this.#keys(claimant, ctx);
    if (!(await this.limiters.ip.isLimited(keys.ip)) && !(await this.limiters.account.isLimited(keys.account))) return;
    await this.#refuseLimited(claimant, ctx, subject);
  }

  async #refuseLimited(claimant: Claimant, ctx: AuditContext, subject: string | null): Promise<never> {
    await this.audit.record({ ...ctx, type: 'password.forgot', outcome: 'failure', subject, details: { reason: 'rate_limited', login: claimant.login } });
    throw new AppError('forgot.rate_limited');
  }

  #keys(claimant: Claimant, ctx: AuditContext): { ip: string; account: string } {
    return { ip: `forgot-ip:${ctx.ip ?? 'unknown'}`, account: claimant.subject ? `forgot:${claimant.subject}` : `forgot-name:${claimant.login}` };
  }

  /** SMS when there is a mobile number; e-mail only for an account with nothing stronger. The same look-ups for no one. */
  async #pinChannel(user: UserEntity | null): Promise<PinChannel | null> {
    if (user?.mobile) return 'sms';
    const id = user?.id ?? randomUUID();
    const [token, passkey, codes] = await Promise.all([this.tokens.hasActive(id), this.passkeys.has(id), this.codes.remaining(id)]);
    if (!user || !this.pinPolicy.emailAllowed || token || passkey || codes > 0) return null;
    return 'email';
  }
}
