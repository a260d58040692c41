// Required action: an account without an active soft token sets one up before the sign-in
// finishes — an authenticator app (QR + key + first code) or the softtoken app (e-mailed activation).
import QRCode from 'qrcode';
import { AppError } from '../../errors/app-error.js';
import { maskDestination } from '../../pins/mask.js';
import { groupDigits } from '../../tokens/activation-crypto.js';
import type { ActivationService } from '../../tokens/activation.service.js';
import type { SoftTokenService } from '../../tokens/soft-token.service.js';
import type { Notice, Step, StepContext, StepResult, StepView } from '../step.js';

interface EnrolState {
  kind?: 'app' | 'softtoken';
  tokenId?: string;
}

export class EnrolTokenStep implements Step {
  readonly id = 'enrol-token';

  constructor(
    private readonly tokens: SoftTokenService,
    private readonly activations: ActivationService,
    private readonly required: boolean,
  ) {}

  async available(ctx: StepContext): Promise<boolean> {
    return this.required && !!ctx.user && !(await this.tokens.hasActive(ctx.user.id));
  }

  async view(ctx: StepContext): Promise<StepView> {
    const state = this.#state(ctx);
    const user = ctx.user!;
    if (state.kind === 'app' && state.tokenId) {
      const enrolment = await this.tokens.appEnrolment(user, state.tokenId);
      return { template: 'steps/enrol-app.njk', data: { qr: await QRCode.toDataURL(enrolment.uri, { margin: 2, width: 240 }), key: enrolment.key, digits: enrolment.token.digits } };
    }
    if (state.kind === 'softtoken' && state.tokenId) {
      const token = await this.tokens.get(user.id, state.tokenId);
      const details = await this.activations.current(token);
      return {
        template: 'steps/enrol-softtoken.njk',
        data: { details, activationCode: details ? groupDigits(details.activationCode) : '', registrationPending: token.registrationPending, email: maskDestination('email', user.email) },
      };
    }
    return { template: 'steps/enrol-choose.njk', data: {} };
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    const state = this.#state(ctx);
    const user = ctx.user!;
    switch (form.action) {
      case 'choose-app':
      case 'choose-softtoken':
        await this.#discard(ctx, state);
        return { kind: 'stay', notice: await this.#start(ctx, form.action === 'choose-app' ? 'app' : 'softtoken') };
      case 'back':
        await this.#discard(ctx, state);
        ctx.state.data[this.id] = {};
        return { kind: 'stay' };
      case 'verify-app':
        if (state.kind !== 'app' || !state.tokenId) throw new AppError('request.invalid');
        await this.tokens.completeWithCode(user.id, state.tokenId, form.code ?? '', ctx.audit);
        return { kind: 'proven' };
      case 'register':
        if (state.kind !== 'softtoken' || !state.tokenId) throw new AppError('request.invalid');
        await this.tokens.completeRegistration(user.id, state.tokenId, form.code ?? '', ctx.audit);
        return { kind: 'proven' };
      case 'check':
        if (await this.tokens.hasActive(user.id)) return { kind: 'proven' };
        throw new AppError('enrol.not_active', 400);
      case 'resend': {
        if (state.kind !== 'softtoken' || !state.tokenId) throw new AppError('request.invalid');
        const token = await this.tokens.get(user.id, state.tokenId);
        // An expired activation is replaced; a live one is sent again as it is.
        const current = await this.activations.current(token);
        if (current && !current.expired) await this.activations.sendMail(user, current, ctx.audit);
        else await this.activations.issue(user, token, ctx.audit);
        return { kind: 'stay', notice: { code: 'enrol.mail_sent', params: { destination: maskDestination('email', user.email) } } };
      }
      default:
        throw new AppError('request.invalid');
    }
  }

  async #start(ctx: StepContext, kind: 'app' | 'softtoken'): Promise<Notice | undefined> {
    const user = ctx.user!;
    if (kind === 'app') {
      const { token } = await this.tokens.createForApp(user, undefined, ctx.audit);
      ctx.state.data[this.id] = { kind, tokenId: token.id };
      return undefined;
    }
    const token = await this.tokens.createForSofttoken(user, undefined, ctx.audit);
    ctx.state.data[this.id] = { kind, tokenId: token.id };
    await this.activations.issue(user, token, ctx.audit);
    return { code: 'enrol.mail_sent', params: { destination: maskDestination('email', user.email) } };
  }

  /** A token this enrolment started and did not finish is removed when the user picks again. */
  async #discard(ctx: StepContext, state: EnrolState): Promise<void> {
    if (!state.tokenId) return;
    const token = await this.tokens.get(ctx.user!.id, state.tokenId).catch(() => null);
    if (token && token.state === 'pending') await this.tokens.remove(token);
  }

  #state(ctx: StepContext): EnrolState {
    return (ctx.state.data[this.id] ?? {}) as EnrolState;
  }
}
