// The admin console at /admin: signed in through the provider, staff only, every form CSRF-checked,
// every page in the administrator's language (console-pages.ts).
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type nunjucks from 'nunjucks';
import { CONSOLE_CLIENT_ID } from '../../console/console-client.js';
import { SelfSignIn } from '../../console/self-sign-in.js';
import type { Services } from '../../services.js';
import { consoleAuth } from './console-auth.js';
import { ConsolePages } from './console-pages.js';
import { FlashMessages } from '../../http/flash.js';
import { retryExpiredForms } from '../../http/expired-form.js';
import { signedOutPage } from '../../http/signed-out.js';
import type { AdminContext } from '../actions/admin-context.js';
import { can } from '../permissions.js';
import { policyPages } from './policy.pages.js';
import { resourcePages } from './resources.pages.js';
import { ResourceActions } from '../actions/resource.actions.js';
import { userPages } from './users.pages.js';

export function adminRoutes(s: Services, views: nunjucks.Environment, forms: Middleware[]): Router {
  const router = new Router({ prefix: '/admin' });
  const signIn = new SelfSignIn(s.config, s.box, { clientId: CONSOLE_CLIENT_ID, basePath: '/admin', sessionSeconds: 1800 }, s.clock);
  const flash = new FlashMessages(s.box, s.config.issuer.startsWith('https://'), '/admin');
  const page = new ConsolePages(views, flash, (ctx) => ({
    me: ctx.state.adminUser,
    can: (permission: Parameters<typeof can>[1]) => can((ctx.state.admin as AdminContext).role, permission),
  }));
  // The JSON API under /admin/api has its own router and bearer authentication.
  const pagesOnly = (mw: Middleware): Middleware => (ctx, next) => (/^\/admin\/api(\/|$)/.test(ctx.path) ? next() : mw(ctx, next));
  router.use(pagesOnly(retryExpiredForms(forms, flash, '/admin')), pagesOnly(consoleAuth(signIn, s.users, s.lockout)));

  router.get('/callback', async (ctx) => {
    ctx.redirect(await signIn.finish(ctx));
  });
  router.post('/logout', async (ctx) => {
    ctx.redirect(await signIn.end(ctx, '/admin/signed-out'));
  });
  router.get('/signed-out', (ctx) => signedOutPage(views, ctx, 'console.signed_out_client', '/admin'));
  router.get('/', (ctx) => ctx.redirect('/admin/users'));

  userPages(router, s, page);
  policyPages(router, s, page);
  resourcePages(router, page, new ResourceActions(s));
  return router;
}
