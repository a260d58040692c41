// Liveness (/healthz) and readiness (/readyz: database reachable, migrations applied).
import Router from '@koa/router';
import type { DataSource } from 'typeorm';

export function healthRoutes(ds: DataSource): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      await ds.query('SELECT 1');
      const pending = await ds.showMigrations();
      ctx.status = pending ? 503 : 200;
      if (pending) ctx.set('Retry-After', '5');
      ctx.body = { status: pending ? 'migrations pending' : 'ready' };
    } catch {
      ctx.status = 503;
      ctx.set('Retry-After', '5');
      ctx.body = { status: 'database unreachable' };
    }
  });
  return router;
}
