// Second factor: one of the account's recovery codes, a possession factor (the printout or file the
// user kept). Offered on the other second-factor pages as "Use a recovery code", and after the
// security questions of a lost token; each use spends the code and tells the owner.
import { assess, meets } from '../../authenticators/assurance.js';
import { AppError } from '../../errors/app-error.js';
import type { RecoveryCodeService } from '../../recovery/recovery-code.service.js';
import type { LockoutService } from '../../security/lockout.service.js';
import { facts, type Step, type StepContext, type StepResult, type StepView } from '../step.js';

export class RecoveryCodeStep implements Step {
  readonly id = 'recovery-code';
  readonly proves = 'recovery-code' as const;

  constructor(
    private readonly codes: RecoveryCodeService,
    private readonly lockout: LockoutService,
    /** The second-factor steps "Use another way" goes back to, in order. */
    private readonly others: Step[],
  ) {}

  async available(ctx: StepContext): Promise<boolean> {
    return !!ctx.user && (await facts.codesLeft(ctx, this.codes)) > 0;
  }

  /** Offered on a sibling's page ("Use a recovery code", posting `choose` here): nothing to hand over. */
  async offer(): Promise<Record<string, unknown>> {
    return {};
  }

  async view(ctx: StepContext): Promise<StepView> {
    const user = ctx.user!;
    const [remaining, triesLeft, back] = await Promise.all([this.codes.remaining(user.id), this.lockout.triesLeft(user.id), this.#fallback(ctx)]);
    return { template: 'steps/recovery-code.njk', data: { remaining, triesLeft, canGoBack: !!back } };
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    switch (form.action) {
      case 'choose':
        return { kind: 'switch', to: this.id };
      case 'back': {
        const target = await this.#fallback(ctx);
        if (!target) throw new AppError('request.invalid');
        return { kind: 'switch', to: target.id };
      }
      case 'verify':
        await this.codes.consume(ctx.user!, form.code ?? '', ctx.audit);
        return { kind: 'proven', proof: { kind: 'recovery-code' } };
      default:
        throw new AppError('request.invalid');
    }
  }

  /** The first other way that applies to the account and helps reach the level (as the engine judges a sibling). */
  async #fallback(ctx: StepContext): Promise<Step | undefined> {
    for (const step of this.others) {
      if (!step.proves || ctx.state.proofs.some((p) => p.kind === step.proves) || !(await step.available(ctx))) continue;
      if (meets(assess([...ctx.state.proofs, { kind: step.proves, userVerified: true }]).acr, ctx.required)) return step;
    }
    return undefined;
  }
}
