// oidc-provider's own error page (a request it refuses before any sign-in: an unknown client, a bad
// redirect_uri…) in the browser's language: the title and the explanation from the catalogues, the
// protocol's own description (English, from oidc-provider) as the detail, and its error code.
import type { Context } from 'koa';
import type nunjucks from 'nunjucks';
import { messageFor } from '../errors/messages.js';
import { translator } from '../i18n/i18n.js';
import { browserLocals } from '../http/views.js';

export interface ProviderErrorOut {
  error: string;
  error_description?: string;
}

export function renderProviderError(views: nunjucks.Environment, ctx: Context, out: ProviderErrorOut): void {
  const locale = browserLocals(views, ctx);
  ctx.type = 'html';
  ctx.body = views.render('error.njk', {
    title: translator(locale.lang)('page.title_oidc'),
    message: messageFor('oidc.error', {}, locale.lang),
    detail: out.error_description,
    code: out.error,
    ...locale,
  });
}
