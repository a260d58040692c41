// The console's pages speak the administrator's language: the browser's Accept-Language, then the
// language the administrator saved in My Profile, then the default setting. Every console page is
// rendered here (the confirmation pages too, through `confirmed`).
import type { Context } from 'koa';
import type nunjucks from 'nunjucks';
import type { Translate } from '../../i18n/i18n.js';
import { translator } from '../../i18n/i18n.js';
import type { Locale } from '../../i18n/locale.js';
import type { FlashMessages } from '../../http/flash.js';
import { PageResponder } from '../../http/page-responder.js';
import { localeLocals, requestLocale } from '../../http/views.js';

export class ConsolePages extends PageResponder {
  constructor(
    private readonly env: nunjucks.Environment,
    flash: FlashMessages,
    private readonly everyPage: (ctx: Context) => Record<string, unknown>,
  ) {
    super(env, flash, everyPage);
  }

  /** The administrator's language for this request. */
  locale(ctx: Context): Locale {
    const saved = (ctx.state.adminUser as { locale?: string | null } | undefined)?.locale;
    return requestLocale(this.env, { acceptLanguage: ctx.get('accept-language'), saved });
  }

  /** Texts in the administrator's language, for what the code builds (setting labels, units). */
  texts(ctx: Context): Translate {
    return translator(this.locale(ctx));
  }

  override render(ctx: Context, template: string, data: Record<string, unknown> = {}): void {
    const locale = localeLocals(this.locale(ctx));
    ctx.type = 'html';
    ctx.body = this.env.render(template, { ...this.flash.take(ctx, locale.lang), ...data, ...this.everyPage(ctx), ...locale, csrfToken: ctx.state.csrfToken });
  }
}
