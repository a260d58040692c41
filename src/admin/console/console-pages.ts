// The console's pages speak the administrator's language: the browser's Accept-Language, then the
// language the administrator saved in My Profile (`me`, which every console page gets), then the
// default setting — PageResponder's rule. What the console's code words itself (setting labels,
// units) asks `texts` for the same language.
import type { Context } from 'koa';
import type nunjucks from 'nunjucks';
import type { Translate } from '../../i18n/i18n.js';
import { translator } from '../../i18n/i18n.js';
import type { Locale } from '../../i18n/locale.js';
import type { FlashMessages } from '../../http/flash.js';
import { PageResponder } from '../../http/page-responder.js';
import { requestLocale } from '../../http/views.js';

export class ConsolePages extends PageResponder {
  constructor(
    private readonly env: nunjucks.Environment,
    flash: FlashMessages,
    everyPage: (ctx: Context) => Record<string, unknown>,
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
}
