// Renders message templates in the recipient's language and hands them to the configured channel; a failed send is audited
// and surfaces as a typed error, never a crash.
import type nunjucks from 'nunjucks';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import { type LocaleLocals, localeLocals, siteOf } from '../http/views.js';
import { isLocale } from '../i18n/locale.js';
import type { Attachment, MailChannel, SmsChannel } from './message.js';

export interface Recipient {
  id: string;
  email: string;
  mobile: string | null;
  name: string;
  /** The language the user chose; e-mails and SMS are in it, else in the default language. */
  locale?: string | null;
}

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
    const data = { ...vars, ...this.#locals(to), user: to, issuer: this.issuer };
    const message = {
      attachments,
      to: to.email,
      subject: data.t(`mail.subject.${template}`).toString(),
      text: this.views.render(`mail/${template}.text.njk`, data),
      html: this.views.render(`mail/${template}.html.njk`, data),
    };
    await this.#attempt('mail', template, to.id, ctx, () => this.mail.sendMail(message));
  }

  async sendSms(template: string, to: Recipient, vars: Record<string, unknown>, ctx: AuditContext = {}): Promise<void> {
    if (!to.mobile) throw new AppError('pin.no_channel');
    const text = this.views.render(`sms/${template}.njk`, { ...vars, ...this.#locals(to), issuer: this.issuer }).trim();
    const mobile = to.mobile;
    await this.#attempt('sms', template, to.id, ctx, () => this.sms.sendSms({ to: mobile, text }));
  }

  /** The recipient's language: their saved preference, else the default setting. */
  #locals(to: Recipient): LocaleLocals {
    return localeLocals(isLocale(to.locale) ? to.locale : siteOf(this.views).i18n.defaultLocale);
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
