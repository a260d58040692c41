// Our routers (pages, admin API, health…) as one middleware that oidc-provider's own endpoints
// pass by: a token request does not walk a dozen routers that have nothing for it.
import type Router from '@koa/router';
import type { Middleware } from 'koa';

/** The paths oidc-provider answers (its `routes`, discovery included); none of ours lives there. */
export const PROTOCOL_PATHS = /^\/(?:auth|token|me|jwks|request|session\/end|device|\.well-known)(?:\/|$)/;

export function ownRoutes(routers: Router[]): Middleware {
  const chain = routers.map((r) => r.routes() as Middleware);
  return (ctx, next) => {
    if (PROTOCOL_PATHS.test(ctx.path)) return next();
    const dispatch = (i: number): Promise<unknown> => (i === chain.length ? next() : Promise.resolve(chain[i]!(ctx, () => dispatch(i + 1))));
    return dispatch(0);
  };
}
