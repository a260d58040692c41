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

  /** Runs one proof: within the limits, for a live unlocked account; a failure counts against both. */
  async #prove(claimant: Claimant, ctx: AuditContext, method: Method, check: (user: UserEntity) => Promise<AuthenticatorKind>): Promise<AuthenticatorKind> {
    const user = await this.#ready(claimant, ctx, { locked: 'returned' });
    // A locked account: only a right answer learns of the lock; a wrong one is told it is wrong, as
    // for any name, and counts nothing more (the lock already holds).
    if (user && this.lockout.isLocked(user)) {
      const kind = await check(user);
      await this.audit.record({ ...ctx, type: 'password.forgot', outcome: 'failure', subject: user.id, details: { reason: 'locked', method: kind } });
      throw new AppError('login.locked');
    }
    try {
      // A name that names no one fails as a wrong answer would.
      if (!user) throw new AppError(WRONG[method]);
      const kind = await check(user);
      await this.audit.record({ ...ctx, type: 'password.forgot_proof', outcome: 'success', subject: user.id, details: { method: kind } });
      return kind;
    } catch (err) {
      if (!(err instanceof AppError) || !err.failedFactor) throw err;
      await this.#count(claimant, ctx, 'proof_failed', user?.id ?? null, { method, reason: err.code });
      // The engine counts failed factors only once the sign-in knows the account: here it is counted at once.
      if (user && (await this.lockout.recordFailure(user.id, ctx))) throw new AppError('login.locked');
      throw err;
    }
  }

  /**
   * Within the limits; the live account, or null for a name that names no one. A locked account is
   * refused (`refused`), taken for no one (`as-unknown`), or handed back for the caller to decide (`returned`).
   */
  async #ready(claimant: Claimant, ctx: AuditContext, { locked = 'refused' }: { locked?: 'refused' | 'as-unknown' | 'returned' } = {}): Promise<UserEntity | null> {
    await this.#underLimits(claimant, ctx, claimant.subject);
    if (!claimant.subject) return null;
    const user = await this.users.findById(claimant.subject);
    if (!user || user.status !== 'active') return null;
    await this.lockout.clearExpired(user);
    if (!this.lockout.isLocked(user) || locked === 'returned') return user;
    await this.audit.record({ ...ctx, type: 'password.forgot', outcome: 'failure', subject: user.id, details: { reason: 'locked' } });
    if (locked === 'as-unknown') return null;
    throw new AppError('login.locked');
  }

  /** One attempt against the account's and the address's limits, audited. */
  async #count(claimant: Claimant, ctx: AuditContext, what: string, subject: string | null, details: Record<string, string> = {}): Promise<void> {
    const keys = this.#keys(claimant, ctx);
    if (what === 'started') await this.#underLimits(claimant, ctx, subject);
    await this.limiters.ip.hit(keys.ip);
    await this.limiters.account.hit(keys.account);
    const outcome = what === 'proof_failed' ? 'failure' : 'success';
    await this.audit.record({ ...ctx, type: `password.forgot_${what}`, outcome, subject, details: what === 'started' ? { login: claimant.login } : details });
  }

  /** Refuses (audited) once the account's or the address's attempts in the window are spent. */
  async #underLimits(claimant: Claimant, ctx: AuditContext, subject: string | null): Promise<void> {
    const keys = this.#keys(claimant, ctx);
    if (!(await this.limiters.ip.isLimited(keys.ip)) && !(await this.limiters.account.isLimited(keys.account))) return;
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
