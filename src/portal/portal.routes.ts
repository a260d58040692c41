// My Profile at /account: the signed-in user's details, password, soft tokens, passkeys and security questions. Signs in
// through the provider like any application; every form is CSRF-checked; changes need a recent sign-in.
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type nunjucks from 'nunjucks';
import type { AuditContext } from '../audit/audit.service.js';
import { CONSOLE_CLIENT_ID } from '../console/console-client.js';
import { SelfSignIn } from '../console/self-sign-in.js';
import { AppError } from '../errors/app-error.js';
import { messageFor, type MessageCode } from '../errors/messages.js';
import { FlashMessages } from '../http/flash.js';
import { field, formStrings } from '../http/form-body.js';
import { localPath } from '../http/local-path.js';
import { type ActOutcome, PageResponder } from '../http/page-responder.js';
import { retryExpiredForms } from '../http/expired-form.js';
import { signedOutPage } from '../http/signed-out.js';
import { requestLocale } from '../http/views.js';
import { typedQuestions } from '../interactions/questions/typed-questions.js';
import { questionsFromForm } from '../questions/questions-form.js';
import type { Services } from '../services.js';
import { passkeyView } from '../passkeys/passkey-view.js';
import { languagePages } from './language.pages.js';
import { passkeyPages } from './passkey.pages.js';
import { portalAuth, portalUser, requireFresh } from './portal-auth.js';
import { ProfileService } from './profile.service.js';
import { ProfileConfirmations } from './confirmations.js';
import { needsFirstRecoveryCodes, recoveryCodePages } from './recovery-codes.pages.js';

const HOME = '/account';

export function portalRoutes(s: Services, views: nunjucks.Environment, forms: Middleware[]): Router {
  const router = new Router({ prefix: HOME });
  const signIn = new SelfSignIn(s.config, s.box, { clientId: CONSOLE_CLIENT_ID, basePath: HOME, sessionSeconds: 1800 }, s.clock);
  const reauth = s.config.portal;
  const flash = new FlashMessages(s.box, s.config.issuer.startsWith('https://'), HOME);
  const page = new PageResponder(views, flash, (ctx) => ({
    me: portalUser(ctx),
    fresh: ctx.state.portalSession ? signIn.isFresh(ctx.state.portalSession, reauth.reauthSeconds) : false,
  }));
  const profile = new ProfileService(s);
  const ask = new ProfileConfirmations(page, profile, HOME);
  /** A stale sign-in goes straight to the action, which asks to confirm it is the user first. */
  const isFresh = (ctx: Context) => signIn.isFresh(ctx.state.portalSession, reauth.reauthSeconds);
  const audit = (ctx: Context): AuditContext => ({ actor: portalUser(ctx).id, ip: ctx.ip });
  const tokenPath = (ctx: Context, suffix = '') => `${HOME}/tokens/${encodeURIComponent(ctx.params.id!)}${suffix}`;
  /** A sensitive change: only within PORTAL_REAUTH_SECONDS of a full sign-in. */
  const sensitive = (ctx: Context, back: string, success: MessageCode, action: () => Promise<unknown>) =>
    page.act(ctx, back, success, async () => {
      requireFresh(ctx, signIn, reauth.reauthSeconds);
      return action();
    });

  router.use(retryExpiredForms(forms, flash, HOME), portalAuth(signIn, s.users, s.lockout));

  router.get('/callback', async (ctx) => {
    ctx.redirect(await signIn.finish(ctx));
  });
  router.post('/logout', async (ctx) => {
    ctx.redirect(await signIn.end(ctx, `${HOME}/signed-out`));
  });
  /** Ends every session of the account (a lost or shared device), this one too. */
  router.post('/sign-out-everywhere', async (ctx) => {
    if (!ask.signOutEverywhere(ctx)) return;
    await s.userAdmin.endSessions(portalUser(ctx).id, 'user', audit(ctx));
    signIn.forget(ctx);
    ctx.status = 303;
    ctx.redirect(`${HOME}/signed-out`);
  });
  router.get('/signed-out', (ctx) => signedOutPage(views, ctx, 'account.title', HOME));
  /** A new full sign-in (password and second factor), then back to where the user was. */
  router.get('/reauth', async (ctx) => {
    const back = localPath(ctx.query.return, HOME, HOME);
    await signIn.start(ctx, back, true);
  });

  router.get('/', async (ctx) => {
    const user = portalUser(ctx);
    page.render(ctx, 'account/profile.njk', {
      tokens: await profile.tokens(user),
      questions: await profile.questions(user),
      recoveryCodes: await s.recoveryCodes.status(user.id),
      passkeys: (await s.passkeys.list(user.id)).map(passkeyView),
      sessions: await s.accountSessions.list(user.id),
      here: HOME,
    });
  });

  router.get('/tokens/new', (ctx) => page.render(ctx, 'account/token-new.njk', { here: `${HOME}/tokens/new` }));
  router.post('/tokens', (ctx) =>
    sensitive(ctx, `${HOME}/tokens/new`, 'portal.token_started', async () => {
      const id = await profile.addToken(portalUser(ctx), { device: field(ctx, 'device'), method: field(ctx, 'method'), name: field(ctx, 'name') }, audit(ctx));
      return { redirect: `${HOME}/tokens/${encodeURIComponent(id)}/setup` };
    }),
  );

  // The setup page shows a pending token's secret or activation details, and finishing it binds a
  // device to the account: both need the same recent sign-in as starting it.
  router.get('/tokens/:id/setup', async (ctx) => {
    if (!signIn.isFresh(ctx.state.portalSession, reauth.reauthSeconds)) {
      return ctx.redirect(`${HOME}/reauth?return=${encodeURIComponent(tokenPath(ctx, '/setup'))}`);
    }
    const view = await profile.setupView(portalUser(ctx), ctx.params.id!);
    if (!view) return ctx.redirect(HOME);
    page.render(ctx, view.template.replace('steps/enrol-', 'account/setup-'), { ...view.data, action: tokenPath(ctx, '/setup') });
  });
  router.post('/tokens/:id/setup', (ctx) =>
    sensitive(ctx, tokenPath(ctx, '/setup'), 'portal.token_added', async (): Promise<ActOutcome> => {
      const outcome = await profile.continueSetup(portalUser(ctx), ctx.params.id!, { action: field(ctx, 'action'), code: field(ctx, 'code') }, audit(ctx));
      // The first second factor comes with recovery codes: the page that makes them comes next.
      if (outcome.done) return { redirect: (await needsFirstRecoveryCodes(s, portalUser(ctx).id)) ? `${HOME}/recovery-codes` : HOME };
      return { notice: outcome.notice };
    }),
  );

  router.post('/tokens/:id/reactivate', async (ctx) => {
    if (isFresh(ctx) && !(await ask.token(ctx, 'reactivate'))) return;
    await sensitive(ctx, HOME, 'portal.token_reactivated', async () => {
      await s.tokenLifecycle.reactivate(portalUser(ctx), ctx.params.id!, audit(ctx));
      return { redirect: tokenPath(ctx, '/setup') };
    });
  });
  router.post('/tokens/:id/rename', (ctx) =>
    sensitive(ctx, HOME, 'portal.token_renamed', () => s.tokenLifecycle.rename(portalUser(ctx), ctx.params.id!, field(ctx, 'name'), audit(ctx))),
  );
  router.post('/tokens/:id/disable', (ctx) =>
    sensitive(ctx, HOME, 'portal.token_disabled', () => s.tokenLifecycle.disable(portalUser(ctx), ctx.params.id!, audit(ctx))),
  );
  router.post('/tokens/:id/enable', (ctx) =>
    sensitive(ctx, HOME, 'portal.token_enabled', () => s.tokenLifecycle.enable(portalUser(ctx), ctx.params.id!, audit(ctx))),
  );
  router.post('/tokens/:id/delete', async (ctx) => {
    if (isFresh(ctx) && !(await ask.token(ctx, 'delete'))) return;
    await sensitive(ctx, HOME, 'portal.token_deleted', () => s.tokenLifecycle.delete(portalUser(ctx), ctx.params.id!, audit(ctx)));
  });

  languagePages(router, { s, page, audit, home: HOME });
  passkeyPages(router, { s, page, signIn, reauthSeconds: reauth.reauthSeconds, sensitive, audit, home: HOME });

  recoveryCodePages(router, { s, page, signIn, reauthSeconds: reauth.reauthSeconds, audit, home: HOME });

  router.get('/password', (ctx) => page.render(ctx, 'account/password.njk', { minLength: s.config.password.minLength, here: `${HOME}/password` }));
  router.post('/password', (ctx) =>
    sensitive(ctx, `${HOME}/password`, 'portal.password_changed', async () => {
      await profile.changePassword(portalUser(ctx), { current: field(ctx, 'current'), next: field(ctx, 'password'), confirm: field(ctx, 'confirm') }, audit(ctx));
      return { redirect: HOME };
    }),
  );

  const questionsPage = (ctx: Context, data: Record<string, unknown> = {}) =>
    page.render(ctx, 'account/questions.njk', { questions: s.config.questions.list, count: s.config.questions.minCount, here: `${HOME}/questions`, ...data });
  router.get('/questions', (ctx) => questionsPage(ctx));
  router.post('/questions', async (ctx) => {
    try {
      await sensitive(ctx, `${HOME}/questions`, 'portal.questions_changed', async () => {
        await profile.changeQuestions(portalUser(ctx), questionsFromForm(formStrings(ctx), s.config.questions.minCount), audit(ctx));
        return { redirect: HOME };
      });
    } catch (err) {
      // A refused choice (too few, too short, the same twice) comes back with what was typed, as in the sign-in.
      if (!(err instanceof AppError) || err.kind !== 'mistake') throw err;
      const locale = requestLocale(views, { acceptLanguage: ctx.get('accept-language'), saved: portalUser(ctx).locale });
      ctx.status = err.status;
      questionsPage(ctx, { typed: typedQuestions(formStrings(ctx), s.config.questions.minCount), error: messageFor(err.code, err.params, locale) });
    }
  });
  return router;
}
