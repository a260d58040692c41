// Times every request and labels it with the route pattern that served it (/admin/api/users/:id),
// never the raw path: ids in labels would grow the metrics without bound.
import type { Context, Middleware } from 'koa';
import type { IdpMetrics } from './idp-metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

interface RoutedContext {
  /** @koa/router: every layer whose path matched, of every router, in order. */
  matched?: { methods: string[]; path: string | RegExp }[];
  /** Set by @koa/router and by oidc-provider's own router to the pattern of the route being run. */
  _matchedRoute?: string | RegExp;
}

/** The route pattern of the layer that answers this method; "unmatched" when no router knew the path. */
export function routeOf(ctx: Context): string {
  const routed = ctx as Context & RoutedContext;
  const route = routed.matched?.findLast((layer) => layer.methods.includes(ctx.method) && typeof layer.path === 'string');
  if (route) return route.path as string;
  return typeof routed._matchedRoute === 'string' ? routed._matchedRoute : 'unmatched';
}

export function requestTimer(m: IdpMetrics): Middleware {
  return async (ctx, next) => {
    const end = m.requestDuration.startTimer();
    try {
      await next();
    } finally {
      end({ method: METHODS.has(ctx.method) ? ctx.method : 'other', route: routeOf(ctx), status: String(ctx.status) });
    }
  };
}
