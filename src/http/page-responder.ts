// Rendering and post/redirect/get for the provider's own signed-in pages (admin console, My Profile).
import type { Context } from 'koa';
import type nunjucks from 'nunjucks';
import type { MessageCode } from '../errors/messages.js';
import type { FormReturn } from './error-handler.js';
import type { Flash, FlashMessages } from './flash.js';
import { type LocaleLocals, localeLocals, requestLocale } from './views.js';

export class PageResponder {
  constructor(
    private readonly views: nunjucks.Environment,
    readonly flash: FlashMessages,
    /** What every page of the area needs (the signed-in user, permissions…). */
    private readonly common: (ctx: Context) => Record<string, unknown> = () => ({}),
  ) {}

  render(ctx: Context, template: string, data: Record<string, unknown> = {}): void {
    const common = this.common(ctx);
    const locale = this.#locale(ctx, common);
    ctx.type = 'html';
    ctx.body = this.views.render(template, { ...this.flash.take(ctx, locale.lang), ...data, ...common, ...locale, csrfToken: ctx.state.csrfToken });
  }

  /** The reader's language: the browser's, then the one `me` saved (the user in My Profile, the administrator in the console), then the default. */
  #locale(ctx: Context, common: Record<string, unknown>): LocaleLocals {
    const saved = (common.me as { locale?: string | null } | undefined)?.locale;
    return localeLocals(requestLocale(this.views, { acceptLanguage: ctx.get('accept-language'), saved }));
  }

  /**
   * Runs an action, then redirects with its outcome as a one-shot notice. The action may say where
   * to go instead of `back` and which notice to show instead of `success`. A user's mistake goes
   * back to `back` as the notice (the error boundary does it); others become the error page.
   */
  async act(ctx: Context, back: string, success: MessageCode, action: () => Promise<ActOutcome | unknown>): Promise<void> {
    const formReturn: FormReturn = { flash: this.flash, to: back };
    ctx.state.formReturn = formReturn;
    let to = back;
    const result = (await action()) as ActOutcome | undefined;
    if (typeof result?.redirect === 'string' && result.redirect.startsWith('/')) to = result.redirect;
    const notice = result?.notice ?? { code: success };
    this.flash.set(ctx, { kind: 'notice', ...notice });
    ctx.status = 303;
    ctx.redirect(to);
  }
}

export interface ActOutcome {
  redirect?: string;
  notice?: Omit<Flash, 'kind'>;
}
