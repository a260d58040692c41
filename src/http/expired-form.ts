// A form sent after its CSRF cookie went (cookies cleared, a new browser session) goes back to the page
// it came from, which now carries a fresh token, with a notice — instead of an error that a reload repeats.
import type { Context, Middleware } from 'koa';
import { AppError } from '../errors/app-error.js';
import type { FlashMessages } from './flash.js';

/** `forms` (body parser, CSRF check) as one middleware whose CSRF refusal returns to the form's page under `home`. */
export function retryExpiredForms(forms: Middleware[], flash: FlashMessages, home: string): Middleware {
  return async (ctx, next) => {
    const run = (i: number): Promise<unknown> => (i === forms.length ? next() : Promise.resolve(forms[i]!(ctx, () => run(i + 1))));
    try {
      await run(0);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'csrf.invalid' || ctx.method === 'GET') throw err;
      flash.set(ctx, { kind: 'error', code: 'csrf.invalid' });
      ctx.status = 303;
      ctx.redirect(formPage(ctx, home));
    }
  };
}

/** The page the form was on, when the browser says so and it is one of this area's; else the area's home. */
function formPage(ctx: Context, home: string): string {
  try {
    const from = new URL(ctx.get('Referer'));
    if (from.host === ctx.host && (from.pathname === home || from.pathname.startsWith(`${home}/`))) return `${from.pathname}${from.search}`;
  } catch {
    // No Referer, or not an address.
  }
  return home;
}
