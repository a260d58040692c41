// Serves the stylesheet and the passkey scripts (pages carry no inline styles or scripts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Router from '@koa/router';
import { projectRoot } from '../support/project-root.js';

export function staticRoutes(): Router {
  const css = readFileSync(join(projectRoot, 'views', 'static', 'app.css'), 'utf8');
  const router = new Router();
  router.get('/static/app.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = css;
  });
  // SimpleWebAuthn's browser bundle (UMD: it defines `SimpleWebAuthnBrowser`) and the page glue using it.
  const bundle = join(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js');
  for (const [path, file] of [['/static/webauthn.js', bundle], ['/static/passkey.js', join(projectRoot, 'views', 'static', 'passkey.js')], ['/static/recovery-codes.js', join(projectRoot, 'views', 'static', 'recovery-codes.js')]] as const) {
    const script = readFileSync(file, 'utf8');
    router.get(path, (ctx) => {
      ctx.type = 'text/javascript';
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.body = script;
    });
  }
  return router;
}
