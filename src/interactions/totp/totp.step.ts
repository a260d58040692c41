// Second factor for accounts with an active soft token: the current code from any of them.
import { AppError } from '../../errors/app-error.js';
import type { SecurityQuestionService } from '../../questions/security-question.service.js';
import type { TokenVerifier } from '../../tokens/token-verifier.js';
import type { SoftTokenService } from '../../tokens/soft-token.service.js';
import { facts, type Step, type StepContext, type StepResult, type StepView } from '../step.js';

export class TotpStep implements Step {
  readonly id = 'totp';
  readonly proves = 'soft-token' as const;

  constructor(
    private readonly tokens: SoftTokenService,
    private readonly verifier: TokenVerifier,
    private readonly questions: SecurityQuestionService,
    private readonly policy: { pinFallback: boolean },
  ) {}

  async available(ctx: StepContext): Promise<boolean> {
    return !!ctx.user && (await facts.hasActiveToken(ctx, this.tokens));
  }

  async view(ctx: StepContext): Promise<StepView> {
    return { template: 'steps/totp.njk', data: { canUsePin: this.policy.pinFallback, canRecover: await facts.hasAnswers(ctx, this.questions) } };
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    if (form.action === 'use-pin') {
      if (!this.policy.pinFallback) throw new AppError('request.invalid');
      return { kind: 'switch', to: 'pin' };
    }
    if (form.action === 'lost') return { kind: 'switch', to: 'recover' };
    if (form.action !== 'verify') throw new AppError('request.invalid');
    await this.verifier.verify(ctx.user!.id, (form.code ?? '').slice(0, 20), ctx.audit);
    return { kind: 'proven', proof: { kind: 'soft-token' } };
  }
}
