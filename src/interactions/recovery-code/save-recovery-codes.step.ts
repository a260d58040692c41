// Required action once the first second factor is set up in a sign-in: a set of recovery codes, made
// on arrival and shown on this page only (copy, download as text). Until the user says they have
// kept them they wait sealed in the flow state, so a reload shows the same set; then they are gone.
import { AppError } from '../../errors/app-error.js';
import type { RecoveryCodeService } from '../../recovery/recovery-code.service.js';
import type { SecretBox } from '../../security/secret-box.js';
import { FACT, facts, type Step, type StepContext, type StepResult, type StepView } from '../step.js';
import { recoveryCodesView } from '../../recovery/recovery-codes-view.js';

export class SaveRecoveryCodesStep implements Step {
  readonly id = 'recovery-codes';

  constructor(
    private readonly codes: RecoveryCodeService,
    private readonly box: SecretBox,
    /** Whether this sign-in set up a second factor (the flow's enrolment ran). */
    private readonly enrolledNow: (ctx: StepContext) => boolean,
  ) {}

  async available(ctx: StepContext): Promise<boolean> {
    if (!ctx.user) return false;
    if (this.#sealed(ctx)) return true;
    return this.enrolledNow(ctx) && (await facts.codesLeft(ctx, this.codes)) === 0;
  }

  async enter(ctx: StepContext): Promise<void> {
    if (this.#sealed(ctx)) return;
    const codes = await this.codes.generate(ctx.user!, ctx.audit);
    ctx.facts.set(FACT.codesLeft, Promise.resolve(codes.length));
    ctx.state.data[this.id] = { sealed: this.box.seal(JSON.stringify(codes), this.#context(ctx)) };
  }

  async view(ctx: StepContext): Promise<StepView> {
    const sealed = this.#sealed(ctx);
    const codes = sealed ? (JSON.parse(this.box.openText(sealed, this.#context(ctx))) as string[]) : [];
    return { template: 'steps/recovery-codes.njk', data: recoveryCodesView(codes) };
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    if (form.action !== 'saved') throw new AppError('request.invalid');
    ctx.state.data[this.id] = {};
    return { kind: 'proven' };
  }

  #sealed(ctx: StepContext): string | undefined {
    const sealed = ctx.state.data[this.id]?.sealed;
    return typeof sealed === 'string' ? sealed : undefined;
  }

  /** Sealed for this interaction and account only. */
  #context(ctx: StepContext): string {
    return `recovery-codes:${ctx.uid}:${ctx.user!.id}`;
  }
}
