// Browser hardening on every response (pages, errors, oidc-provider's own endpoints): helmet with the
// strict CSP these pages were written for (no inline script or style), HSTS when served over https.
import type { Middleware } from 'koa';
import helmet from 'koa-helmet';

export function securityHeaders(https: boolean): Middleware {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      // No form-action: oidc-provider's form_post answer posts to the application, elsewhere.
      // oidc-provider adds the hash of its one inline script (form_post) to script-src itself.
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
  return (ctx, next) => {
    // Nothing here is for shared caches; the stylesheet and scripts say otherwise for themselves.
    ctx.set('Cache-Control', 'no-store');
    return headers(ctx, next);
  };
}
