// The JSON admin API at /admin/api: a service account's bearer token (admin scope) opens it; each
// area's routes are thin calls into the same actions the admin console uses.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { AppError } from '../../errors/app-error.js';
import type { Services } from '../../services.js';
import { adminApiAuth } from '../admin-api-auth.js';
import { auditApi } from './audit.api.js';
import { clientsApi } from './clients.api.js';
import { groupsApi } from './groups.api.js';
import { settingsApi } from './settings.api.js';
import { tokensApi } from './tokens.api.js';
import { usersApi } from './users.api.js';

const noStore: Middleware = async (ctx, next) => {
  ctx.set('Cache-Control', 'no-store');
  await next();
};

/** co-body marks bad JSON 400 but not exposable; it is the caller's mistake, so say so. */
function bodyError(err: Error): never {
  const status = (err as { status?: number }).status ?? 500;
  if (status === 413) throw new AppError('request.too_large');
  if (status >= 400 && status < 500) throw new AppError('request.invalid', {}, status);
  throw err;
}

/**
 * Past authentication, a 401 from an action means a wrong value in the request (a registration
 * code, say), not a bad token: scripts must not take it as "get a new token". It is a 422.
 */
const actionErrors: Middleware = async (_ctx, next) => {
  try {
    await next();
  } catch (err) {
    if (err instanceof AppError && err.failedFactor) throw new AppError(err.code, err.params, 422);
    throw err;
  }
};

export function adminApiRoutes(provider: Provider, s: Services): Router {
  const router = new Router({ prefix: '/admin/api' });
  // Authentication first: nobody's body is read before their token is checked.
  router.use(noStore, adminApiAuth(provider), actionErrors, bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', onError: bodyError }));
  usersApi(router, s);
  tokensApi(router, s);
  settingsApi(router, s);
  clientsApi(router, s);
  groupsApi(router, s);
  auditApi(router, s);
  return router;
}
