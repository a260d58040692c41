// The JSON admin API at /admin/api: a service account's bearer token (admin scope) opens it; each
// area's routes are thin calls into the same actions the admin console uses.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { AppError } from '../../errors/app-error.js';
import { bodyError } from '../../http/body-errors.js';
import type { Services } from '../../services.js';
import { adminApiAuth } from '../admin-api-auth.js';
import { auditApi } from './audit.api.js';
import { clientsApi } from './clients.api.js';
import { resourcesApi } from './resources.api.js';
import { groupsApi } from './groups.api.js';
import { passkeysApi } from './passkeys.api.js';
import { settingsApi } from './settings.api.js';
import { tokensApi } from './tokens.api.js';
import { recoveryCodesApi } from './recovery-codes.api.js';
import { usersApi } from './users.api.js';

const noStore: Middleware = async (ctx, next) => {
  ctx.set('Cache-Control', 'no-store');
  await next();
};

/** A body the API cannot read as JSON is refused (415), never taken for an empty object. */
const jsonOnly: Middleware = async (ctx, next) => {
  const hasBody = (ctx.request.length ?? 0) > 0 || ctx.get('transfer-encoding') !== '';
  if (hasBody && ['POST', 'PUT', 'PATCH'].includes(ctx.method) && !ctx.is('json')) throw new AppError('request.invalid', {}, 415);
  await next();
};

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
  router.use(noStore, adminApiAuth(provider), actionErrors, jsonOnly, bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', onError: bodyError }));
  usersApi(router, s);
  tokensApi(router, s);
  recoveryCodesApi(router, s);
  passkeysApi(router, s);
  settingsApi(router, s);
  clientsApi(router, s);
  resourcesApi(router, s);
  groupsApi(router, s);
  auditApi(router, s);
  return router;
}
