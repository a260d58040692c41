// "I have misplaced my token": after the password, the user answers security questions (`kba`) and
// confirms; the lost tokens are disabled. Questions are knowledge, like the password: the sign-in
// then goes on to a possession factor the account already had (a PIN to the number or address on
// file), and the new token is set up as the enrolment that follows — enrolling proves nothing.
import { AppError } from '../../errors/app-error.js';
import type { SecurityNoticeService } from '../../notices/security-notice.service.js';
import type { SecurityQuestionService } from '../../questions/security-question.service.js';
import type { LockoutService } from '../../security/lockout.service.js';
import type { SoftTokenService } from '../../tokens/soft-token.service.js';
import { facts, type Step, type StepContext, type StepResult, type StepView } from '../step.js';

interface RecoverState {
  phase?: 'questions' | 'actions' | 'confirm' | 'done';
  asked?: string[];
}

export class RecoverTokenStep implements Step {
  readonly id = 'recover';

  constructor(
    private readonly questions: SecurityQuestionService,
    private readonly tokens: SoftTokenService,
    private readonly notices: SecurityNoticeService,
    private readonly policy: { pinFallback: boolean },
    /** `requirePossession` off: the questions settle the second factor, and the sign-in's level is one factor. */
    private readonly recovery: { requirePossession: boolean },
    /** For the tries left before a lockout, on the questions page. */
    private readonly lockout?: LockoutService,
  ) {}

  async available(ctx: StepContext): Promise<boolean> {
    const phase = this.#state(ctx).phase;
    if (!ctx.user || phase === 'done') return false;
    // Before recovery begins: only for an account whose soft token it replaces.
    if (!phase && !(await facts.hasActiveToken(ctx, this.tokens))) return false;
    return facts.hasAnswers(ctx, this.questions);
  }

  async enter(ctx: StepContext): Promise<void> {
    const state = this.#state(ctx);
    if (!state.phase) ctx.state.data[this.id] = { phase: 'questions', asked: await this.questions.challenge(ctx.user!.id) };
  }

  async view(ctx: StepContext): Promise<StepView> {
    const state = this.#state(ctx);
    switch (state.phase) {
      case 'actions':
        return { template: 'steps/recover-actions.njk', data: { canUsePin: this.#canUsePin(ctx) } };
      case 'confirm':
        return { template: 'steps/recover-confirm.njk', data: { tokens: (await this.tokens.list(ctx.user!.id)).filter((t) => t.state === 'active') } };
      default:
        return { template: 'steps/recover-questions.njk', data: { asked: state.asked ?? [], triesLeft: await this.lockout?.triesLeft(ctx.user!.id) } };
    }
  }

  /** Answers are weighed against the account's tries (the engine takes one first). */
  takesTry(ctx: StepContext, form: Record<string, string>): boolean {
    return (this.#state(ctx).phase ?? 'questions') === 'questions' && form.action === 'answer';
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    const state = this.#state(ctx);
    const user = ctx.user!;
    // "I found my token": back to its code, nothing changed (until the lost tokens are disabled).
    if (form.action === 'found' && state.phase !== 'done') {
      ctx.state.data[this.id] = {};
      return { kind: 'switch', to: 'totp' };
    }
    switch (`${state.phase ?? 'questions'}:${form.action ?? ''}`) {
      case 'questions:answer': {
        const asked = state.asked ?? [];
        await this.questions.verify(user.id, asked, asked.map((_, i) => form[`a${i + 1}`] ?? ''), ctx.audit);
        this.#save(ctx, { ...state, phase: 'actions' });
        return { kind: 'stay' };
      }
      case 'actions:recreate':
        this.#save(ctx, { ...state, phase: 'confirm' });
        return { kind: 'stay' };
      case 'actions:use-pin':
        if (!this.#canUsePin(ctx)) throw new AppError('request.invalid');
        return { kind: 'switch', to: 'pin' };
      case 'confirm:cancel':
        this.#save(ctx, { ...state, phase: 'actions' });
        return { kind: 'stay' };
      case 'confirm:confirm': {
        const lost = (await this.tokens.list(user.id)).filter((t) => t.state === 'active');
        // The lost device may be in someone's hands: its secret is destroyed, so the token can only
        // be reactivated (a new secret) or deleted, never simply enabled again.
        for (const token of lost) await this.tokens.update(token, { state: 'disabled', secret: null });
        await this.notices.notify(user, 'token_recreated', { tokenName: lost.map((t) => t.name).join(', ') }, ctx.audit);
        this.#save(ctx, { ...state, phase: 'done' });
        return { kind: 'proven', proof: { kind: 'security-questions' }, settles: !this.recovery.requirePossession };
      }
      default:
        throw new AppError('request.invalid');
    }
  }

  #canUsePin(ctx: StepContext): boolean {
    return this.policy.pinFallback && !!ctx.user?.mobile;
  }

  #state(ctx: StepContext): RecoverState {
    return (ctx.state.data[this.id] ?? {}) as RecoverState;
  }

  #save(ctx: StepContext, state: RecoverState): void {
    ctx.state.data[this.id] = { ...state };
  }
}
