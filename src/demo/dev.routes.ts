// Development-only pages: the outbox, where a newcomer reads the PINs and e-mails that were "sent".
import Router from '@koa/router';
import type nunjucks from 'nunjucks';
import type { Services } from '../services.js';

export function devRoutes(s: Services, views: nunjucks.Environment): Router {
  const router = new Router({ prefix: '/dev' });
  router.get('/outbox', async (ctx) => {
    ctx.type = 'html';
    ctx.body = views.render('dev/outbox.njk', { enabled: !!s.outbox, messages: s.outbox ? await s.outbox.list() : [] });
  });
  return router;
}
