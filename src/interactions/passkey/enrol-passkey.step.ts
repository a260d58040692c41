// Required action, beside the soft token: register a passkey. It gives the account a way to
// complete later sign-ins; it proves nothing about this one, so it adds no proof.
import { AppError } from '../../errors/app-error.js';
import { parseRegistrationResponse } from '../../passkeys/passkey-response.js';
import type { PasskeyService } from '../../passkeys/passkey.service.js';
import type { ChallengeBinding } from '../../passkeys/passkey-challenge.js';
import type { Step, StepContext, StepResult, StepView } from '../step.js';

export class EnrolPasskeyStep implements Step {
  readonly id = 'enrol-passkey';

  constructor(
    private readonly passkeys: PasskeyService,
    /** Whether the account still has to set up a way in (the soft token enrolment's own test). */
    private readonly needed: (ctx: StepContext) => Promise<boolean>,
  ) {}

  available(ctx: StepContext): Promise<boolean> {
    return this.needed(ctx);
  }

  /** Shown after a failed registration; the enrolment page shows the offer instead. */
  async view(ctx: StepContext): Promise<StepView> {
    return { template: 'steps/passkey.njk', data: { ...(await this.offer(ctx)), mode: 'register' } };
  }

  async offer(ctx: StepContext): Promise<Record<string, unknown>> {
    const challenge = this.passkeys.challenges.issue(this.#binding(ctx));
    return { options: JSON.stringify(await this.passkeys.registrationOptions(ctx.user!, challenge)) };
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    if (form.action !== 'register') throw new AppError('request.invalid');
    const binding = this.#binding(ctx);
    ctx.state.data[this.id] = { n: binding.n + 1 };
    const response = parseRegistrationResponse(form.response);
    const challenge = (c: string) => this.passkeys.challenges.check(c, binding);
    await this.passkeys.register(ctx.user!, response, { challenge, requireUserVerification: false }, ctx.audit);
    return { kind: 'proven' };
  }

  #binding(ctx: StepContext): ChallengeBinding {
    const n = ctx.state.data[this.id]?.n;
    return { purpose: 'register', uid: ctx.uid, n: typeof n === 'number' ? n : 0 };
  }
}
