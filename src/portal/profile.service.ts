// My Profile's own work, without Koa: what a signed-in user sees of their account, adding a soft
// token (reusing the sign-in's token setup), and changing the security questions.
import type { AuditContext } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import type { SetupOutcome } from '../tokens/token-setup.js';
import { TokenSetup } from '../tokens/token-setup.js';
import type { StepView } from '../interactions/step.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import type { QuestionAnswer } from '../questions/security-question.service.js';
import type { Services } from '../services.js';
import { type TokenView, tokenView } from '../tokens/token-view.js';

export type Device = 'mobile' | 'desktop';
export type Method = 'app' | 'softtoken';

export interface NewToken {
  device: string;
  method: string;
  name?: string;
}

export interface PasswordChange {
  current: string;
  next: string;
  confirm: string;
}

export class ProfileService {
  readonly #setup: TokenSetup;

  constructor(private readonly s: Services) {
    this.#setup = new TokenSetup(s.tokens, s.activations);
  }

  async tokens(user: UserEntity): Promise<TokenView[]> {
    const now = this.s.clock.now();
    return (await this.s.tokens.list(user.id)).map((t) => tokenView(t, now));
  }

  questions(user: UserEntity): Promise<string[]> {
    return this.s.questions.questionsOf(user.id);
  }

  /** Creates a pending token on the chosen device and method; returns its id for the setup page. */
  async addToken(user: UserEntity, input: NewToken, ctx: AuditContext): Promise<string> {
    if (input.device !== 'mobile' && input.device !== 'desktop') throw new AppError('portal.choose_device');
    if (input.method !== 'app' && input.method !== 'softtoken') throw new AppError('portal.choose_method');
    const name = input.name?.trim().replace(/\s+/g, ' ');
    if (name !== undefined && name !== '' && name.length > 64) throw new AppError('token.invalid_name');
    if (name && (await this.s.tokens.list(user.id)).some((t) => t.name.toLowerCase() === name.toLowerCase())) throw new AppError('token.name_taken');
    const device = input.device === 'mobile' ? 'Mobile' : 'Desktop';
    const fallback = input.method === 'app' ? `${device} authenticator app` : `${device} soft token`;
    const { state } = await this.#setup.start(user, input.method, ctx, name || fallback);
    return state.tokenId!;
  }

  /** The setup page of a pending token (QR + key, or the activation details), or null if not pending. */
  async setupView(user: UserEntity, tokenId: string): Promise<StepView | null> {
    const token = await this.s.tokens.get(user.id, tokenId);
    if (token.state !== 'pending') return null;
    return this.#setup.view(user, { kind: token.kind, tokenId });
  }

  /** Completes (a code, a registration code, "I activated it") or resends a pending activation. */
  async continueSetup(user: UserEntity, tokenId: string, form: Record<string, string>, ctx: AuditContext): Promise<SetupOutcome> {
    const token = await this.s.tokens.get(user.id, tokenId);
    if (token.state !== 'pending') throw new AppError('token.not_pending');
    return this.#setup.handle(user, { kind: token.kind, tokenId }, form, ctx);
  }

  /**
   * The user changes their own password: the current one first (a wrong one counts towards the
   * lockout like a failed sign-in; guesses from a signed-in session that lock the account end every
   * session it has, tokens included), then the rules of any new password. Every session of the
   * account ends, this one too, and the owner is told by e-mail.
   */
  async changePassword(user: UserEntity, input: PasswordChange, ctx: AuditContext): Promise<void> {
    if (input.next !== input.confirm) throw new AppError('password.mismatch');
    if (!(await this.s.users.isCurrentPassword(user.id, input.current))) {
      await this.s.audit.record({ ...ctx, type: 'password.change', outcome: 'failure', subject: user.id, details: { reason: 'wrong_password' } });
      if (await this.s.lockout.recordFailure(user.id, ctx)) await this.s.sessions.endAll(user.id, 'locked', ctx);
      throw new AppError('password.wrong_current');
    }
    if (input.next === input.current) throw new AppError('password.reused');
    await this.s.userAdmin.setPassword(user.id, input.next, ctx);
  }

  /** Replaces the questions and answers; the owner is told by e-mail. */
  async changeQuestions(user: UserEntity, entries: QuestionAnswer[], ctx: AuditContext): Promise<void> {
    await this.s.questions.set(user.id, entries, ctx);
    await this.s.notices.notify(user, 'questions_changed', {}, ctx);
  }
}
