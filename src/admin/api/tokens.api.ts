// Admin API: a user's soft tokens — list, assign, reactivate, complete, reset, disable/enable, delete.
import type Router from '@koa/router';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { TokenActions } from '../actions/token.actions.js';
import { adminOf, input, noContent } from './api-input.js';

const assign = z.object({ name: z.string().max(64).optional() }).strict();
const complete = z.object({ registrationCode: z.string().min(1).max(32) }).strict();
// The codes themselves are judged by the service ("Invalid Response"), not here.
const code = z.string().min(1).max(32);
const reset = z.object({ first: code, second: code }).strict();
/** Taking the last token of an account that needs one is a deliberate choice: ?allowLast=true. */
const lossQuery = z.object({ allowLast: z.enum(['true', 'false']).default('false') });

export function tokensApi(router: Router, s: Services): void {
  const tokens = new TokenActions(s);
  const base = '/users/:id/tokens/:tokenId';

  router.get('/users/:id/tokens', async (ctx) => {
    ctx.body = { tokens: await tokens.list(adminOf(ctx), ctx.params.id!) };
  });

  router.post('/users/:id/tokens', async (ctx) => {
    const token = await tokens.assign(adminOf(ctx), ctx.params.id!, input(assign, ctx.request.body).name || undefined);
    ctx.status = 201;
    ctx.body = token;
  });

  router.post(`${base}/reactivate`, async (ctx) => {
    ctx.body = await tokens.reactivate(adminOf(ctx), ctx.params.id!, ctx.params.tokenId!);
  });

  router.post(`${base}/complete`, async (ctx) => {
    ctx.body = await tokens.complete(adminOf(ctx), ctx.params.id!, ctx.params.tokenId!, input(complete, ctx.request.body).registrationCode);
  });

  router.post(`${base}/reset`, async (ctx) => {
    const { first, second } = input(reset, ctx.request.body);
    ctx.body = await tokens.reset(adminOf(ctx), ctx.params.id!, ctx.params.tokenId!, first, second);
  });

  router.post(`${base}/disable`, async (ctx) => {
    await tokens.disable(adminOf(ctx), ctx.params.id!, ctx.params.tokenId!, input(lossQuery, ctx.query).allowLast === 'true');
    noContent(ctx);
  });

  router.post(`${base}/enable`, async (ctx) => {
    await tokens.enable(adminOf(ctx), ctx.params.id!, ctx.params.tokenId!);
    noContent(ctx);
  });

  router.delete(base, async (ctx) => {
    await tokens.delete(adminOf(ctx), ctx.params.id!, ctx.params.tokenId!, input(lossQuery, ctx.query).allowLast === 'true');
    noContent(ctx);
  });
}
