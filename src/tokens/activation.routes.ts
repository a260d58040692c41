// The device side of activation: POST /softtoken/activate (JSON, for the softtoken app) and a
// GET landing page for the e-mailed link, which never redeems it (mail scanners open links too).
import { bodyParser } from '@koa/bodyparser';
import { bodyError } from '../http/body-errors.js';
import Router from '@koa/router';
import type nunjucks from 'nunjucks';
import { browserLocals } from '../http/views.js';
import { AppError } from '../errors/app-error.js';
import { messageFor } from '../errors/messages.js';
import type { ActivationService } from './activation.service.js';

/** The stable error codes of the activation API (DESIGN.md §3), from the message codes. */
function wireCode(code: string): string {
  const short = code.slice('activation.'.length);
  return short === 'expired' ? 'activation_expired' : short;
}

export function activationRoutes(activations: ActivationService, views: nunjucks.Environment): Router {
  const router = new Router({ prefix: '/softtoken/activate' });

  router.get('/', (ctx) => {
    const ticket = typeof ctx.query.ticket === 'string' ? ctx.query.ticket : '';
    ctx.type = 'html';
    ctx.body = views.render('softtoken-link.njk', { link: ticket ? ctx.href : undefined, ...browserLocals(views, ctx) });
  });

  router.post(
    '/',
    async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        const known = err instanceof AppError && err.code.startsWith('activation.') ? err : (err as { status?: number }).status === 413 || (err as { status?: number }).status === 400 || (err as { status?: number }).status === 415 ? new AppError('activation.invalid_request') : null;
        if (!known) throw err;
        ctx.status = known.status;
        ctx.body = { error: wireCode(known.code), message: messageFor(known.code) };
      }
    },
    async (ctx, next) => {
      if (!ctx.is('application/json')) throw new AppError('activation.invalid_request');
      await next();
    },
    bodyParser({ enableTypes: ['json'], jsonLimit: '4kb', onError: bodyError }),
    async (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await activations.redeem((ctx.request as { body?: unknown }).body, { ip: ctx.ip, actor: 'softtoken-app' });
    },
  );

  return router;
}
