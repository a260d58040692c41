// "I've forgotten my password", inside the sign-in so the application's sign-in goes on afterwards:
// username or e-mail → a possession factor the account holds → its security questions (by setting)
// → a new password → back to the password page. It is a way to the password, not past it: it
// proves nothing to this sign-in, which then asks for the new password and a second factor, so the
// ID token says exactly what that sign-in proved. Until the possession factor, every page and
// answer is the same whether or not the account exists.
import type { AuthenticatorKind } from '../../authenticators/registry.js';
import { AppError } from '../../errors/app-error.js';
import type { ChallengeBinding } from '../../passkeys/passkey-challenge.js';
import { parseAuthenticationResponse } from '../../passkeys/passkey-response.js';
import type { PasskeyService } from '../../passkeys/passkey.service.js';
import type { Claimant, ForgotPasswordService } from '../../recovery/forgot-password.service.js';
import type { Clock } from '../../support/clock.js';
import type { Notice, Step, StepContext, StepResult, StepView } from '../step.js';

type Phase = 'identify' | 'prove' | 'pin' | 'questions' | 'password' | 'done';

interface ForgotState {
  phase?: Phase;
  subject?: string | null;
  login?: string;
  proofs?: AuthenticatorKind[];
  asked?: string[];
  /** When the last PIN was asked for: the wait before another is the same for every name. */
  pinAt?: number;
  /** Passkey attempts: each answered challenge is spent. */
  n?: number;
}

export class ForgotPasswordStep implements Step {
  readonly id = 'forgot-password';

  constructor(
    private readonly forgot: ForgotPasswordService,
    private readonly passkeys: PasskeyService,
    private readonly clock: Clock,
    private readonly policy: { pin: { resendCooldown: number }; password: { minLength: number } },
  ) {}

  async available(ctx: StepContext): Promise<boolean> {
    return !ctx.state.accountId;
  }

  /** Offered on the password page (the link posts `start` here): nothing to hand over. */
  async offer(): Promise<Record<string, unknown>> {
    return {};
  }

  async view(ctx: StepContext): Promise<StepView> {
    const state = this.#state(ctx);
    switch (state.phase) {
      case 'prove': {
        const challenge = this.passkeys.challenges.issue(this.#binding(ctx));
        return { template: 'steps/forgot-prove.njk', data: { login: state.login, options: JSON.stringify(await this.passkeys.authenticationOptions(challenge)) } };
      }
      case 'pin':
        return { template: 'steps/forgot-pin.njk', data: { login: state.login } };
      case 'questions':
        return { template: 'steps/forgot-questions.njk', data: { asked: state.asked ?? [], triesLeft: await this.forgot.triesLeft(this.#claimant(state)) } };
      case 'password':
        return { template: 'steps/forgot-new-password.njk', data: { minLength: this.policy.password.minLength } };
      case 'done':
        return { template: 'steps/forgot-done.njk', data: {} };
      default:
        return { template: 'steps/forgot-identify.njk', data: { login: state.login ?? '' } };
    }
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    const state = this.#state(ctx);
    if (form.action === 'start') {
      ctx.state.data[this.id] = { phase: 'identify' };
      return { kind: 'switch', to: this.id };
    }
    if (form.action === 'cancel') return this.#toPassword(ctx, state.phase === 'done' ? state.login : undefined);
    const claimant = (): Claimant => this.#claimant(state);
    switch (`${state.phase ?? 'identify'}:${form.action ?? ''}`) {
      case 'identify:identify': {
        const named = await this.forgot.identify(form.login ?? '', ctx.audit);
        this.#save(ctx, { phase: 'prove', subject: named.subject, login: named.login, proofs: [] });
        return { kind: 'stay' };
      }
      case 'prove:totp':
        return this.#proven(ctx, await this.forgot.proveSoftToken(claimant(), form.code ?? '', ctx.audit));
      case 'prove:recovery-code':
        return this.#proven(ctx, await this.forgot.proveRecoveryCode(claimant(), form.code ?? '', ctx.audit));
      case 'prove:authenticate': {
        const binding = this.#binding(ctx);
        this.#save(ctx, { ...state, n: binding.n + 1 });
        const response = parseAuthenticationResponse(form.response);
        return this.#proven(ctx, await this.forgot.provePasskey(claimant(), response, (c) => this.passkeys.challenges.check(c, binding), ctx.audit));
      }
      case 'prove:send-pin':
      case 'pin:resend':
        return { kind: 'stay', notice: await this.#sendPin(ctx, state, claimant()) };
      case 'pin:other':
        this.#save(ctx, { ...state, phase: 'prove' });
        return { kind: 'stay' };
      case 'pin:verify':
        return this.#proven(ctx, await this.forgot.provePin(claimant(), this.#purpose(ctx), (form.pin ?? '').slice(0, 20), ctx.audit));
      case 'questions:answer': {
        const asked = state.asked ?? [];
        await this.forgot.proveQuestions(claimant(), asked, asked.map((_, i) => form[`a${i + 1}`] ?? ''), ctx.audit);
        this.#save(ctx, { ...state, phase: 'password', proofs: [...(state.proofs ?? []), 'security-questions'] });
        return { kind: 'stay' };
      }
      case 'password:save':
        await this.forgot.reset(claimant(), form.password ?? '', form.confirm ?? '', state.proofs ?? [], ctx.audit);
        this.#save(ctx, { phase: 'done', login: state.login });
        return { kind: 'stay' };
      case 'done:continue':
        return this.#toPassword(ctx, state.login);
      default:
        throw new AppError('request.invalid');
    }
  }

  /** A possession factor is proven: the questions next where the account has them (and the setting asks), else the new password. */
  async #proven(ctx: StepContext, kind: AuthenticatorKind): Promise<StepResult> {
    const state = this.#state(ctx);
    const asked = await this.forgot.questionsFor(state.subject!);
    this.#save(ctx, { ...state, phase: asked.length ? 'questions' : 'password', asked, proofs: [...(state.proofs ?? []), kind] });
    return { kind: 'stay' };
  }

  async #sendPin(ctx: StepContext, state: ForgotState, claimant: Claimant): Promise<Notice> {
    const now = this.clock.now();
    const wait = (state.pinAt ?? 0) + this.policy.pin.resendCooldown * 1000 - now;
    if (wait > 0) throw new AppError('pin.resend_cooldown', { seconds: Math.ceil(wait / 1000) });
    await this.forgot.sendPin(claimant, this.#purpose(ctx), ctx.audit);
    this.#save(ctx, { ...state, phase: 'pin', pinAt: now });
    return { code: 'forgot.pin_sent' };
  }

  /** Back to the password page, with the name filled in (the password step's own field). */
  #toPassword(ctx: StepContext, login?: string): StepResult {
    ctx.state.data[this.id] = {};
    if (login) ctx.state.data.password = { login };
    return { kind: 'switch', to: 'password' };
  }

  #claimant(state: ForgotState): Claimant {
    if (state.subject === undefined || state.login === undefined) throw new AppError('request.invalid');
    return { subject: state.subject, login: state.login };
  }

  /** Apart from the sign-in's own passkey challenges: an answer made for one page is no good on the other. */
  #binding(ctx: StepContext): ChallengeBinding {
    const n = this.#state(ctx).n;
    return { purpose: 'authenticate', uid: `forgot:${ctx.uid}`, n: typeof n === 'number' ? n : 0 };
  }

  /** A PIN is good for this interaction's reset only. */
  #purpose(ctx: StepContext): string {
    return `forgot:${ctx.uid}`;
  }

  #state(ctx: StepContext): ForgotState {
    return (ctx.state.data[this.id] ?? {}) as ForgotState;
  }

  #save(ctx: StepContext, state: ForgotState): void {
    ctx.state.data[this.id] = { ...state };
  }
}
