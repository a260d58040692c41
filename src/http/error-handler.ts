// The one error boundary: every failure becomes its status and words, as a page with a way back, a
// JSON error, or a notice on the page the form came from. An unreachable database is a 503 with
// Retry-After everywhere, oidc-provider's own endpoints included; anything unknown is a plain 500.
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import type nunjucks from 'nunjucks';
import { AppError } from '../errors/app-error.js';
import { messageFor } from '../errors/messages.js';
import { type Translate, translator } from '../i18n/i18n.js';
import type { Locale } from '../i18n/locale.js';
import { lockedText } from '../i18n/lock-words.js';
import { isRefusedInput } from '../persistence/refused-input.js';
import { isDatabaseUnavailable } from '../persistence/unavailable.js';
import type { FlashMessages } from './flash.js';
import { localeLocals, requestLocale } from './views.js';

const RETRY_AFTER_SECONDS = '5';

/** Set by a form handler: a user's mistake goes back to `to` as a one-shot notice. */
export interface FormReturn {
  flash: FlashMessages;
  to: string;
}

export function errorHandler(views: nunjucks.Environment, log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // oidc-provider answers its own failures; the database being away is ours to say.
      if (ctx.state.databaseUnavailable) return respond(ctx, views, new AppError('server.unavailable'));
      if (ctx.state.refusedInput) return respond(ctx, views, new AppError('request.invalid'));
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('request.not_found');
    } catch (err) {
      const known = knownError(err);
      if (!known) log.error({ err, path: ctx.path }, 'unhandled error');
      respond(ctx, views, known ?? new AppError('server.error'));
    }
  };
}

/** For oidc-provider's `server_error` event: marks the response for the boundary to turn into a 503 (or a 400). */
export function noteServerError(ctx: Context, err: unknown): void {
  if (isDatabaseUnavailable(err)) ctx.state.databaseUnavailable = true;
  else if (isRefusedInput(err)) ctx.state.refusedInput = true;
}

function knownError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) return new AppError('server.unavailable');
  if (isRefusedInput(err)) return new AppError('request.invalid');
  const { status, expose } = err as { status?: number; expose?: boolean };
  if (status === 413) return new AppError('request.too_large');
  if (status === 415) return new AppError('request.invalid', {}, 415);
  if (expose && status && status >= 400 && status < 500) return new AppError('request.invalid', {}, status);
  return null;
}

function respond(ctx: Context, views: nunjucks.Environment, error: AppError): void {
  const back = ctx.state.formReturn as FormReturn | undefined;
  ctx.remove('Location');
  if (error.kind === 'unavailable') ctx.set('Retry-After', RETRY_AFTER_SECONDS);
  if (back && error.expose && error.kind !== 'unavailable') {
    back.flash.set(ctx, { kind: 'error', code: error.code, params: error.params });
    ctx.status = 303;
    ctx.redirect(back.to);
    return;
  }
  ctx.status = error.status;
  if (wantsJson(ctx)) {
    // Programs read the code; the words stay English for them.
    ctx.body = { error: error.kind === 'unavailable' ? 'temporarily_unavailable' : error.code, message: messageFor(error.code, error.params) };
    return;
  }
  const locale = pageLocale(ctx, views, error);
  ctx.type = 'html';
  ctx.body = views.render('error.njk', { ...errorPage(ctx, error, locale), code: error.code, ...localeLocals(locale) });
}

/** The reader's language: the sign-in's ui_locales (when the error carries it), the browser's, the administrator's saved one, the default. */
function pageLocale(ctx: Context, views: nunjucks.Environment, error: AppError): Locale {
  const saved = (ctx.state.adminUser as { locale?: string | null } | undefined)?.locale;
  return requestLocale(views, { uiLocales: error.params.uiLocales, acceptLanguage: ctx.get('accept-language'), saved });
}

function wantsJson(ctx: Context): boolean {
  return ctx.accepts('html', 'json') === 'json' || /(^|\/)api(\/|$)/.test(ctx.path) || ctx.path.endsWith('.json') || ctx.path === '/token' || ctx.path.startsWith('/token/') || ctx.path === '/me';
}

interface Way {
  href: string;
  label: string;
}

/** What the page says and where a person can go on from it: never a dead end. */
function errorPage(ctx: Context, error: AppError, locale: Locale): { title: string; message: string; detail?: string; ways: Way[] } {
  const t = translator(locale);
  const message = messageFor(error.code, error.params, locale);
  const home = homeWays(ctx, t);
  const restart = typeof error.params.restart === 'string' && error.params.restart.startsWith('/') ? error.params.restart : undefined;
  const application = typeof error.params.application === 'string' && /^https?:\/\//.test(error.params.application) ? error.params.application : undefined;
  const again: Way[] = [
    ...(restart ? [{ href: restart, label: t('page.way_restart') }] : []),
    ...(application ? [{ href: application, label: t('page.way_application', { client: String(error.params.client || t('page.the_application')) }) }] : []),
  ];
  switch (error.code) {
    case 'request.not_found':
      return { title: t('page.title_not_found'), message, ways: home };
    case 'flow.expired':
      return { title: t('page.title_expired'), message, detail: t('page.expired_what_to_do'), ways: again.length ? again : home };
    case 'login.locked': {
      const text = lockedText(error.params, locale) ?? message;
      return { title: t('page.title_locked'), message: text, detail: t('page.locked_what_to_do'), ways: [...again, ...home] };
    }
  }
  if (error.kind === 'unavailable') {
    const retry = ctx.method === 'GET' ? [{ href: ctx.originalUrl, label: t('page.way_retry') }] : [];
    return { title: t('page.title_unavailable'), message, ways: [...retry, ...home] };
  }
  const title = error.status >= 500 ? t('page.title_error') : t('page.title_refused');
  return { title, message, ways: [...again, ...home] };
}

/** The area's own start page: the console, My Profile (a person's home at the provider). */
function homeWays(ctx: Context, t: Translate): Way[] {
  if (ctx.path.startsWith('/admin')) return [{ href: '/admin', label: t('page.way_console') }];
  if (ctx.path.startsWith('/account')) return [{ href: '/account', label: t('page.way_back_profile') }];
  return [{ href: '/account', label: t('page.way_profile') }];
}
