// The pages behind an administrator's password reset link: offer to send a PIN, check it, take the
// new password. Opening the link sends nothing (mail scanners open links); after the first page the
// token travels in a hidden form field, never in a URL that could reach logs or a Referer.
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type nunjucks from 'nunjucks';
import { browserLocals } from '../http/views.js';
import { AppError } from '../errors/app-error.js';
import { messageFor } from '../errors/messages.js';
import { field } from '../http/form-body.js';
import type { Services } from '../services.js';
import type { LiveReset } from './password-reset.service.js';

export function passwordResetRoutes(s: Services, views: nunjucks.Environment, forms: Middleware[]): Router {
  const router = new Router({ prefix: '/reset-password' });
  const resets = s.passwordResets;
  router.use(...forms);

  function page(ctx: Context, template: string, data: Record<string, unknown>, status = 200): void {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = views.render(`reset-password/${template}.njk`, { ...data, ...browserLocals(views, ctx), csrfToken: ctx.state.csrfToken });
  }

  /** Every dead link looks the same: one message, nothing about the account. */
  async function live(token: string): Promise<LiveReset> {
    const reset = await resets.find(token);
    if (!reset) throw new AppError('reset.invalid');
    return reset;
  }

  /** Shows a user's mistake on the page they are on; anything else goes to the error handler. */
  function mistake(err: unknown, prefixes: string[]): AppError {
    if (err instanceof AppError && err.expose && prefixes.some((p) => err.code.startsWith(p))) return err;
    throw err;
  }

  router.get('/', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    const reset = await live(token);
    page(ctx, 'start', { token, destination: resets.destination(reset) });
  });

  router.post('/send', async (ctx) => {
    const token = field(ctx, 'token');
    const reset = await live(token);
    try {
      page(ctx, 'pin', { token, sent: await resets.sendPin(reset, { ip: ctx.ip }) });
    } catch (err) {
      const known = mistake(err, ['pin.', 'delivery.']);
      const error = messageFor(known.code, known.params);
      if (field(ctx, 'again') === 'yes') page(ctx, 'pin', { token, error }, known.status);
      else page(ctx, 'start', { token, destination: resets.destination(reset), error }, known.status);
    }
  });

  router.post('/verify', async (ctx) => {
    const token = field(ctx, 'token');
    const reset = await live(token);
    try {
      await resets.verifyPin(reset, field(ctx, 'pin'), { ip: ctx.ip });
    } catch (err) {
      const known = mistake(err, ['pin.']);
      page(ctx, 'pin', { token, error: messageFor(known.code, known.params) }, known.status);
      return;
    }
    page(ctx, 'new-password', { token, minLength: s.config.password.minLength });
  });

  router.post('/complete', async (ctx) => {
    const token = field(ctx, 'token');
    const reset = await live(token);
    const password = field(ctx, 'password');
    const again = (error: AppError) =>
      page(ctx, 'new-password', { token, minLength: s.config.password.minLength, error: messageFor(error.code, error.params) }, error.status);
    // Before a verified PIN there is no form to get wrong: the service refuses outright.
    if (reset.pinVerified && password !== field(ctx, 'confirm')) return again(new AppError('reset.mismatch'));
    try {
      await resets.complete(reset, password, { ip: ctx.ip });
    } catch (err) {
      return again(mistake(err, ['password.']));
    }
    page(ctx, 'done', {});
  });

  return router;
}
