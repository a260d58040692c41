// Setting up a soft token, shared by the sign-in (enrolment, lost-token recovery) and My Profile:
// an authenticator app (QR + key + first code) or the softtoken app (e-mailed activation).
import QRCode from 'qrcode';
import type { AuditContext } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import type { MessageCode } from '../errors/messages.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { maskDestination } from '../pins/mask.js';
import { groupDigits } from './activation-crypto.js';
import type { ActivationService } from './activation.service.js';
import type { SoftTokenService } from './soft-token.service.js';

/** A message for the page (a sign-in step's notice or My Profile's). */
export interface Notice {
  code: MessageCode;
  params?: Record<string, string | number>;
}

/** The page that shows the setup: a template under views/steps and its data. */
export interface SetupView {
  template: string;
  data: Record<string, unknown>;
}

export interface SetupState {
  kind?: 'app' | 'softtoken';
  tokenId?: string;
}

export type SetupOutcome = { done: true } | { done: false; notice?: Notice };

export class TokenSetup {
  constructor(
    private readonly tokens: SoftTokenService,
    private readonly activations: ActivationService,
  ) {}

  /** Creates the pending token (and mails the activation for the softtoken app). */
  async start(user: UserEntity, kind: 'app' | 'softtoken', audit: AuditContext, name?: string): Promise<{ state: SetupState; notice?: Notice }> {
    if (kind === 'app') {
      const { token } = await this.tokens.createForApp(user, name, audit);
      return { state: { kind, tokenId: token.id } };
    }
    const token = await this.tokens.createForSofttoken(user, name, audit);
    await this.activations.issue(user, token, audit);
    return { state: { kind, tokenId: token.id }, notice: this.#mailed(user) };
  }

  async view(user: UserEntity, state: SetupState): Promise<SetupView | null> {
    if (state.kind === 'app' && state.tokenId) {
      const enrolment = await this.tokens.appEnrolment(user, state.tokenId);
      const qr = await QRCode.toDataURL(enrolment.uri, { margin: 2, width: 240 });
      return { template: 'steps/enrol-app.njk', data: { qr, key: enrolment.key, digits: enrolment.token.digits } };
    }
    if (state.kind === 'softtoken' && state.tokenId) {
      const token = await this.tokens.get(user.id, state.tokenId);
      const details = await this.activations.current(token);
      return {
        template: 'steps/enrol-softtoken.njk',
        data: {
          details,
          activationCode: details ? groupDigits(details.activationCode) : '',
          registrationPending: token.registrationPending,
          email: maskDestination('email', user.email),
        },
      };
    }
    return null;
  }

  /** The page's actions once a token is being set up; `done` when the token is active. */
  async handle(user: UserEntity, state: SetupState, form: Record<string, string>, audit: AuditContext): Promise<SetupOutcome> {
    if (!state.tokenId) throw new AppError('request.invalid');
    switch (form.action) {
      case 'verify-app':
        if (state.kind !== 'app') throw new AppError('request.invalid');
        await this.tokens.completeWithCode(user.id, state.tokenId, form.code ?? '', audit);
        return { done: true };
      case 'register':
        if (state.kind !== 'softtoken') throw new AppError('request.invalid');
        await this.tokens.completeRegistration(user.id, state.tokenId, form.code ?? '', audit);
        return { done: true };
      case 'check':
        if ((await this.tokens.get(user.id, state.tokenId)).state === 'active') return { done: true };
        throw new AppError('enrol.not_active');
      case 'resend': {
        if (state.kind !== 'softtoken') throw new AppError('request.invalid');
        const token = await this.tokens.get(user.id, state.tokenId);
        // An expired activation is replaced; a live one is sent again as it is.
        const current = await this.activations.current(token);
        if (current && !current.expired) await this.activations.sendMail(user, current, audit);
        else await this.activations.issue(user, token, audit);
        return { done: false, notice: this.#mailed(user) };
      }
      default:
        throw new AppError('request.invalid');
    }
  }

  /** A token this setup started and did not finish is removed when the user starts over. */
  async discard(user: UserEntity, state: SetupState): Promise<void> {
    if (!state.tokenId) return;
    const token = await this.tokens.get(user.id, state.tokenId).catch(() => null);
    if (token && token.state === 'pending') await this.tokens.remove(token);
  }

  #mailed(user: UserEntity): Notice {
    return { code: 'enrol.mail_sent', params: { destination: maskDestination('email', user.email) } };
  }
}
