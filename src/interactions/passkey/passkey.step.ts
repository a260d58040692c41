// A passkey: passwordless on the first page (the passkey names the account), or the second factor
// after the password (the account's own passkeys). Offered as a button on sibling steps' pages.
import { assess, meets } from '../../authenticators/assurance.js';
import type { Proof } from '../../authenticators/registry.js';
import { AppError } from '../../errors/app-error.js';
import type { ChallengeBinding } from '../../passkeys/passkey-challenge.js';
import type { PasskeyLoginService } from '../../passkeys/passkey-login.service.js';
import { parseAuthenticationResponse } from '../../passkeys/passkey-response.js';
import type { PasskeyService, VerifiedPasskey } from '../../passkeys/passkey.service.js';
import { facts, type Step, type StepContext, type StepResult, type StepView } from '../step.js';

export class PasskeyStep implements Step {
  readonly id = 'passkey';
  readonly proves = 'passkey' as const;

  constructor(
    private readonly passkeys: PasskeyService,
    private readonly login: PasskeyLoginService,
    /** Second-factor steps the passkey page lets the user switch to ("use a code instead"). */
    private readonly fallbacks: Step[] = [],
  ) {}

  async available(ctx: StepContext): Promise<boolean> {
    // Anyone may try a passkey on the first page; after the password, only an account that has one.
    return ctx.user ? facts.hasPasskey(ctx, this.passkeys) : !ctx.state.accountId;
  }

  async view(ctx: StepContext): Promise<StepView> {
    const others: string[] = [];
    if (ctx.user) for (const step of this.fallbacks) if (await this.#serves(ctx, step)) others.push(step.id);
    return { template: 'steps/passkey.njk', data: { ...(await this.offer(ctx)), mode: ctx.user ? 'second-factor' : 'passwordless', others } };
  }

  /** The options a page hands to the browser (a data attribute); computed, never stored. */
  async offer(ctx: StepContext): Promise<Record<string, unknown>> {
    const challenge = this.passkeys.challenges.issue(this.#binding(ctx));
    return { options: JSON.stringify(await this.passkeys.authenticationOptions(challenge, ctx.user?.id)) };
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    if (form.action === 'switch') {
      const target = this.fallbacks.find((s) => s.id === form.to);
      if (!ctx.user || !target) throw new AppError('request.invalid');
      return { kind: 'switch', to: target.id };
    }
    if (form.action !== 'authenticate') throw new AppError('request.invalid');
    const binding = this.#binding(ctx);
    // Every attempt spends the challenge it answered, whatever the outcome (the engine saves state).
    ctx.state.data[this.id] = { n: binding.n + 1 };
    const response = parseAuthenticationResponse(form.response);
    const challenge = (c: string) => this.passkeys.challenges.check(c, binding);
    if (!ctx.user) {
      const verified = await this.login.authenticate(response, challenge, ctx.audit);
      return { kind: 'proven', accountId: verified.passkey.userId, proof: proofOf(verified) };
    }
    // The second factor must be one of this account's passkeys.
    const passkey = await this.passkeys.find(response, ctx.user.id);
    if (!passkey) throw new AppError('passkey.unknown');
    return { kind: 'proven', proof: proofOf(await this.passkeys.verify(passkey, response, { challenge, requireUserVerification: false }, ctx.audit)) };
  }

  #binding(ctx: StepContext): ChallengeBinding {
    const n = ctx.state.data[this.id]?.n;
    return { purpose: 'authenticate', uid: ctx.uid, n: typeof n === 'number' ? n : 0 };
  }

  /** As the engine judges a sibling: it applies to the account and helps reach the level. */
  async #serves(ctx: StepContext, step: Step): Promise<boolean> {
    if (!step.proves || !(await step.available(ctx))) return false;
    return meets(assess([...ctx.state.proofs, { kind: step.proves }]).acr, ctx.required);
  }
}

function proofOf(verified: VerifiedPasskey): Proof {
  return { kind: 'passkey', userVerified: verified.userVerified, synced: verified.backedUp };
}
