// Renders message templates and hands them to the configured channel; a failed send is audited
// and surfaces as a typed error, never a crash.
import type nunjucks from 'nunjucks';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import type { Attachment, MailChannel, SmsChannel } from './message.js';

export interface Recipient {
  id: string;
  email: string;
  mobile: string | null;
  name: string;
}

const subjects: Record<string, string> = {
  pin: 'Your one-time PIN',
  'softtoken-activation': 'Activate your soft token',
  'security-notice': 'Security notice: a change to how you sign in',
  'password-reset': 'Reset your password',
};

export class DeliveryService {
  constructor(
    private readonly views: nunjucks.Environment,
    private readonly mail: MailChannel,
    private readonly sms: SmsChannel,
    private readonly audit: AuditService,
    private readonly issuer: string,
  ) {}

  async sendMail(
    template: string,
    to: Recipient,
    vars: Record<string, unknown>,
    ctx: AuditContext = {},
    attachments: Attachment[] = [],
  ): Promise<void> {
    const data = { ...vars, user: to, issuer: this.issuer };
    const message = {
      attachments,
      to: to.email,
      subject: subjects[template] ?? template,
      text: this.views.render(`mail/${template}.text.njk`, data),
      html: this.views.render(`mail/${template}.html.njk`, data),
    };
    await this.#attempt('mail', template, to.id, ctx, () => this.mail.sendMail(message));
  }

  async sendSms(template: string, to: Recipient, vars: Record<string, unknown>, ctx: AuditContext = {}): Promise<void> {
    if (!to.mobile) throw new AppError('pin.no_channel');
    const text = this.views.render(`sms/${template}.njk`, { ...vars, issuer: this.issuer }).trim();
    const mobile = to.mobile;
    await this.#attempt('sms', template, to.id, ctx, () => this.sms.sendSms({ to: mobile, text }));
  }

  async #attempt(channel: string, template: string, subject: string, ctx: AuditContext, send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (err) {
      await this.audit.record({
        ...ctx,
        type: 'delivery.failed',
        outcome: 'failure',
        subject,
        details: { channel, template, error: err instanceof Error ? err.message : String(err) },
      });
      throw new AppError('delivery.failed');
    }
  }
}
