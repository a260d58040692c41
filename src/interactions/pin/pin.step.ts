// Second factor: a one-time PIN by SMS, or by e-mail when there is no mobile number or the user
// asks for the alternative (and the policy allows it).
import { AppError } from '../../errors/app-error.js';
import type { PinChannel } from '../../persistence/entities/one-time-pin.entity.js';
import type { Config } from '../../config/config.js';
import type { OneTimePinService } from '../../pins/one-time-pin.service.js';
import type { SoftTokenService } from '../../tokens/soft-token.service.js';
import { facts, once, type Notice, type Step, type StepContext, type StepResult, type StepView } from '../step.js';

const PENDING = 'pin.pending';

export class PinStep implements Step {
  readonly id = 'pin';
  readonly proves = 'sms-pin' as const;

  constructor(
    private readonly pins: OneTimePinService,
    private readonly tokens: SoftTokenService,
    private readonly policy: Config['pin'],
    private readonly tokenPolicy: { pinFallback: boolean },
  ) {}

  get emailAllowed(): boolean {
    return this.policy.emailAllowed;
  }

  async available(ctx: StepContext): Promise<boolean> {
    if (!ctx.user || (!ctx.user.mobile && !this.emailAllowed)) return false;
    // An account with a soft token uses it; a PIN instead only where the policy allows it.
    return this.tokenPolicy.pinFallback || !(await facts.hasActiveToken(ctx, this.tokens));
  }

  async enter(ctx: StepContext): Promise<Notice> {
    return this.#send(ctx, this.pins.defaultChannel(ctx.user!));
  }

  async view(ctx: StepContext): Promise<StepView> {
    const user = ctx.user!;
    // Just sent by this request's entry, or asked of the store.
    const pending = await once(ctx, PENDING, () => this.pins.pending(user.id, this.#purpose(ctx)));
    const channel = (ctx.state.data.pin?.channel as PinChannel | undefined) ?? pending?.channel;
    return {
      template: 'steps/pin.njk',
      data: {
        sent: pending,
        channel,
        canUseEmail: this.emailAllowed && channel !== 'email',
        canUseSms: !!user.mobile && channel !== 'sms',
      },
    };
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    const user = ctx.user!;
    switch (form.action) {
      case 'resend':
        return { kind: 'stay', notice: await this.#send(ctx, (ctx.state.data.pin?.channel as PinChannel) ?? this.pins.defaultChannel(user)) };
      case 'email':
        return { kind: 'stay', notice: await this.#send(ctx, 'email') };
      case 'sms':
        return { kind: 'stay', notice: await this.#send(ctx, 'sms') };
      case 'verify':
      case undefined: {
        const pin = (form.pin ?? '').trim();
        if (!/^\d{4,10}$/.test(pin.replace(/\s+/g, ''))) throw new AppError('pin.invalid');
        const channel = await this.pins.verify(user.id, this.#purpose(ctx), pin);
        return { kind: 'proven', proof: { kind: channel === 'sms' ? 'sms-pin' : 'mail-pin' } };
      }
      default:
        throw new AppError('request.invalid');
    }
  }

  async #send(ctx: StepContext, channel: PinChannel): Promise<Notice> {
    ctx.state.data.pin = { channel };
    const sent = await this.pins.send(ctx.user!, this.#purpose(ctx), channel, ctx.audit);
    ctx.facts.set(PENDING, Promise.resolve(sent));
    return { code: 'pin.sent', params: { destination: sent.masked } };
  }

  /** A PIN is good for this interaction only. */
  #purpose(ctx: StepContext): string {
    return `login:${ctx.uid}`;
  }
}
