// GET /metrics in the Prometheus text format, behind metricsAccess.
import Router from '@koa/router';
import type { Config } from '../config/config.js';
import type { IdpMetrics } from './idp-metrics.js';
import { metricsAccess } from './metrics-access.js';

export function metricsRoutes(config: Pick<Config, 'env' | 'metrics'>, metrics: IdpMetrics): Router {
  const router = new Router();
  router.get('/metrics', metricsAccess(config), async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.contentType;
    ctx.body = await metrics.text();
  });
  return router;
}
