// The page after signing out of the provider's own areas (My Profile, the console): in the browser's
// language, naming the area, with the way back in.
import type { Context } from 'koa';
import type nunjucks from 'nunjucks';
import { translator } from '../i18n/i18n.js';
import { browserLocals } from './views.js';

/** `areaKey`: the catalogue's name of the area; `again`: where signing in again starts. */
export function signedOutPage(views: nunjucks.Environment, ctx: Context, areaKey: string, again: string): void {
  const locale = browserLocals(views, ctx);
  ctx.type = 'html';
  ctx.body = views.render('logged-out.njk', { client: translator(locale.lang)(areaKey), again, ...locale });
}
