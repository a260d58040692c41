// The demo application: an ordinary OIDC client (openid-client, PKCE) living on the same server,
// so `npm start` alone shows the whole journey and the ID token it ends with.
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type nunjucks from 'nunjucks';
import * as oidc from 'openid-client';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import type { Services } from '../services.js';

export const DEMO_CLIENT_ID = 'demo';
const TX_COOKIE = 'demo_tx';
const SESSION_COOKIE = 'demo_session';

export function demoRoutes(config: Config, s: Services, views: nunjucks.Environment, forms: Middleware[]): Router {
  const router = new Router({ prefix: '/demo' });
  router.use(...forms);
  let discovered: Promise<oidc.Configuration> | undefined;
  const client = () =>
    (discovered ??= oidc
      .discovery(new URL(config.issuer), DEMO_CLIENT_ID, undefined, oidc.None(), {
        execute: config.issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : [],
      })
      .catch((err) => {
        discovered = undefined;
        throw err;
      }));
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: config.issuer.startsWith('https://'), path: '/demo' };

  router.get('/', (ctx) => {
    const sealed = ctx.cookies.get(SESSION_COOKIE);
    const session = sealed ? safeOpen(s, sealed) : undefined;
    ctx.type = 'html';
    ctx.body = views.render('demo/index.njk', { session, csrfToken: ctx.state.csrfToken });
  });

  router.get('/login', async (ctx) => {
    const config = await client();
    const verifier = oidc.randomPKCECodeVerifier();
    const tx = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${ctx.origin}/demo/callback`,
      scope: 'openid email profile phone',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: tx.state,
      nonce: tx.nonce,
    });
    ctx.cookies.set(TX_COOKIE, s.box.seal(JSON.stringify(tx), TX_COOKIE), { ...cookieOptions, maxAge: 15 * 60 * 1000 });
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const sealed = ctx.cookies.get(TX_COOKIE);
    const tx = sealed ? (safeOpen(s, sealed, TX_COOKIE) as { verifier: string; state: string; nonce: string } | undefined) : undefined;
    if (!tx) throw new AppError('demo.failed', 400);
    ctx.cookies.set(TX_COOKIE, null, cookieOptions);
    let tokens;
    try {
      tokens = await oidc.authorizationCodeGrant(await client(), new URL(ctx.originalUrl, ctx.origin), {
        pkceCodeVerifier: tx.verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
      });
    } catch {
      throw new AppError('demo.failed', 400);
    }
    const session = { claims: tokens.claims(), idToken: tokens.id_token };
    ctx.cookies.set(SESSION_COOKIE, s.box.seal(JSON.stringify(session), SESSION_COOKIE), cookieOptions);
    ctx.redirect('/demo');
  });

  router.post('/logout', async (ctx) => {
    const sealed = ctx.cookies.get(SESSION_COOKIE);
    const session = sealed ? (safeOpen(s, sealed) as { idToken?: string } | undefined) : undefined;
    ctx.cookies.set(SESSION_COOKIE, null, cookieOptions);
    const url = oidc.buildEndSessionUrl(await client(), {
      post_logout_redirect_uri: `${ctx.origin}/demo`,
      ...(session?.idToken ? { id_token_hint: session.idToken } : {}),
    });
    ctx.redirect(url.href);
  });

  return router;
}

function safeOpen(s: Services, sealed: string, context = SESSION_COOKIE): Record<string, unknown> | undefined {
  try {
    return JSON.parse(s.box.openText(sealed, context)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
