// "I have misplaced my token": after the password, the user answers security questions, then
// recreates the soft token (old ones disabled) and activates the new one — or, where the policy
// allows, finishes this one sign-in with a PIN by SMS. Proves `kba`.
import { AppError } from '../../errors/app-error.js';
import type { SecurityNoticeService } from '../../notices/security-notice.service.js';
import type { SecurityQuestionService } from '../../questions/security-question.service.js';
import type { SoftTokenService } from '../../tokens/soft-token.service.js';
import type { SetupState, TokenSetup } from '../enrol/token-setup.js';
import type { Step, StepContext, StepResult, StepView } from '../step.js';

interface RecoverState {
  phase?: 'questions' | 'actions' | 'confirm' | 'setup';
  asked?: string[];
  setup?: SetupState;
}

export class RecoverTokenStep implements Step {
  readonly id = 'recover';

  constructor(
    private readonly questions: SecurityQuestionService,
    private readonly tokens: SoftTokenService,
    private readonly setup: TokenSetup,
    private readonly notices: SecurityNoticeService,
    private readonly policy: { pinFallback: boolean },
  ) {}

  async available(ctx: StepContext): Promise<boolean> {
    if (!ctx.user || !(await this.questions.hasEnough(ctx.user.id))) return false;
    return !!this.#state(ctx).phase || (await this.tokens.hasActive(ctx.user.id));
  }

  async enter(ctx: StepContext): Promise<void> {
    const state = this.#state(ctx);
    if (!state.phase) ctx.state.data[this.id] = { phase: 'questions', asked: await this.questions.challenge(ctx.user!.id) };
  }

  async view(ctx: StepContext): Promise<StepView> {
    const state = this.#state(ctx);
    const user = ctx.user!;
    switch (state.phase) {
      case 'actions':
        return { template: 'steps/recover-actions.njk', data: { canUsePin: this.#canUsePin(ctx) } };
      case 'confirm':
        return { template: 'steps/recover-confirm.njk', data: { tokens: (await this.tokens.list(user.id)).filter((t) => t.state === 'active') } };
      case 'setup':
        return (await this.setup.view(user, state.setup ?? {})) ?? { template: 'steps/enrol-choose.njk', data: { recovering: true } };
      default:
        return { template: 'steps/recover-questions.njk', data: { asked: state.asked ?? [] } };
    }
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    const state = this.#state(ctx);
    const user = ctx.user!;
    const action = `${state.phase ?? 'questions'}:${form.action ?? ''}`;
    switch (action) {
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
        this.#save(ctx, { ...state, phase: 'setup', setup: {} });
        return { kind: 'stay' };
      }
      case 'setup:choose-app':
      case 'setup:choose-softtoken': {
        await this.setup.discard(user, state.setup ?? {});
        const started = await this.setup.start(user, form.action === 'choose-app' ? 'app' : 'softtoken', ctx.audit);
        this.#save(ctx, { ...state, setup: started.state });
        return { kind: 'stay', notice: started.notice };
      }
      case 'setup:back':
        await this.setup.discard(user, state.setup ?? {});
        this.#save(ctx, { ...state, setup: {} });
        return { kind: 'stay' };
      default: {
        if (state.phase !== 'setup') throw new AppError('request.invalid');
        const outcome = await this.setup.handle(user, state.setup ?? {}, form, ctx.audit);
        return outcome.done ? { kind: 'proven', proof: { kind: 'security-questions' } } : { kind: 'stay', notice: outcome.notice };
      }
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
