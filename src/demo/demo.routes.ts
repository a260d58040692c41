// The demo application: an ordinary OIDC client (openid-client, PKCE) living on the same server,
// so `npm start` alone shows the whole journey and the ID token it ends with.
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type nunjucks from 'nunjucks';
import type { Config } from '../config/config.js';
import { SelfSignIn } from '../console/self-sign-in.js';
import type { Services } from '../services.js';

export const DEMO_CLIENT_ID = 'demo';

export function demoRoutes(config: Config, s: Services, views: nunjucks.Environment, forms: Middleware[]): Router {
  const router = new Router({ prefix: '/demo' });
  router.use(...forms);
  const signIn = new SelfSignIn(config, s.box, { clientId: DEMO_CLIENT_ID, basePath: '/demo' });

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = views.render('demo/index.njk', { session: signIn.session(ctx), csrfToken: ctx.state.csrfToken });
  });

  router.get('/login', (ctx) => signIn.start(ctx, '/demo'));

  router.get('/callback', async (ctx) => {
    ctx.redirect(await signIn.finish(ctx));
  });

  router.post('/logout', async (ctx) => {
    ctx.redirect(await signIn.end(ctx, '/demo'));
  });

  return router;
}
