// Turns known errors into their status and words, and everything else into a plain 500.
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type nunjucks from 'nunjucks';
import { AppError } from '../errors/app-error.js';
import { messageFor } from '../errors/messages.js';

export function errorHandler(views: nunjucks.Environment, log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('request.not_found');
    } catch (err) {
      const known =
        err instanceof AppError
          ? err
          : (err as { status?: number }).status === 413
            ? new AppError('request.too_large')
            : (err as { status?: number; expose?: boolean }).expose && (err as { status?: number }).status! < 500
              ? new AppError('request.invalid', {}, (err as { status: number }).status)
              : null;
      if (!known) log.error({ err, path: ctx.path }, 'unhandled error');
      const status = known?.status ?? 500;
      const code = known?.code ?? 'server.error';
      const message = messageFor(code, known?.params);
      ctx.status = status;
      if (ctx.accepts('html', 'json') === 'json' || /(^|\/)api(\/|$)/.test(ctx.path) || ctx.path.endsWith('.json')) {
        ctx.body = { error: code, message };
      } else {
        ctx.type = 'html';
        ctx.body = views.render('error.njk', { title: status >= 500 ? 'Something went wrong' : 'We could not do that', message, code });
      }
    }
  };
}
