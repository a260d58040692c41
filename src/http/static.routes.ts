// Serves the stylesheet and the pages' scripts: passkeys, recovery codes, times in the reader's zone
// (pages carry no inline styles or scripts).
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
  const ours = ['passkey.js', 'recovery-codes.js', 'local-time.js'].map((name) => [`/static/${name}`, join(projectRoot, 'views', 'static', name)] as const);
  for (const [path, file] of [['/static/webauthn.js', bundle] as const, ...ours]) {
    const script = readFileSync(file, 'utf8');
    router.get(path, (ctx) => {
      ctx.type = 'text/javascript';
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.body = script;
    });
  }
  return router;
}
