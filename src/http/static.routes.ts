// Serves the stylesheet (the only static asset; pages carry no inline styles or scripts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  return router;
}
