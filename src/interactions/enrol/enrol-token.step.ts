// Required action: an account without an active soft token sets one up before the sign-in finishes.
import { AppError } from '../../errors/app-error.js';
import type { SoftTokenService } from '../../tokens/soft-token.service.js';
import { facts, type Step, type StepContext, type StepResult, type StepView } from '../step.js';
import type { SetupState, TokenSetup } from '../../tokens/token-setup.js';

export class EnrolTokenStep implements Step {
  readonly id = 'enrol-token';

  constructor(
    private readonly tokens: SoftTokenService,
    private readonly setup: TokenSetup,
    private readonly policy: { required: boolean },
    /** A passkey is a way in too: an account with one needs no soft token. */
    private readonly passkeys?: { has(userId: string): Promise<boolean> },
  ) {}

  async available(ctx: StepContext): Promise<boolean> {
    const required = this.policy.required;
    // Whoever has just signed in with a soft token code or a passkey has one: no need to ask.
    if (!required || !ctx.user || ctx.state.proofs.some((p) => p.kind === 'soft-token' || p.kind === 'passkey')) return false;
    return !(await facts.hasActiveToken(ctx, this.tokens)) && !(this.passkeys && (await facts.hasPasskey(ctx, this.passkeys)));
  }

  async view(ctx: StepContext): Promise<StepView> {
    return (await this.setup.view(ctx.user!, this.#state(ctx))) ?? { template: 'steps/enrol-choose.njk', data: {} };
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    const user = ctx.user!;
    switch (form.action) {
      case 'choose-app':
      case 'choose-softtoken': {
        await this.setup.discard(user, this.#state(ctx));
        const started = await this.setup.start(user, form.action === 'choose-app' ? 'app' : 'softtoken', ctx.audit);
        ctx.state.data[this.id] = { ...started.state };
        return { kind: 'stay', notice: started.notice };
      }
      case 'back':
        await this.setup.discard(user, this.#state(ctx));
        ctx.state.data[this.id] = {};
        return { kind: 'stay' };
      case 'check':
        // The softtoken app may have activated a token this page did not start.
        if (await this.tokens.hasActive(user.id)) return { kind: 'proven' };
        throw new AppError('enrol.not_active');
      default: {
        const outcome = await this.setup.handle(user, this.#state(ctx), form, ctx.audit);
        return outcome.done ? { kind: 'proven' } : { kind: 'stay', notice: outcome.notice };
      }
    }
  }

  #state(ctx: StepContext): SetupState {
    return (ctx.state.data[this.id] ?? {}) as SetupState;
  }
}
