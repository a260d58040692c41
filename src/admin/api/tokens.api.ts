// Admin API: a user's soft tokens — list, assign, reactivate, complete, reset, disable/enable, delete.
import type Router from '@koa/router';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { TokenActions } from '../actions/token.actions.js';
import { adminOf, input, noContent } from './api-input.js';
import { routeDocs } from './openapi-doc.js';
import { reactivatedToken, resetToken, tokenList, tokenView } from './openapi-schemas.js';

const doc = routeDocs('Soft tokens');

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

  router.get('/users/:id/tokens', doc({ id: 'listTokens', summary: "A user's soft tokens", responses: { 200: tokenList } }), async (ctx) => {
    ctx.body = { tokens: await tokens.list(adminOf(ctx), ctx.params.id!) };
  });

  router.post('/users/:id/tokens', doc({ id: 'assignToken', summary: 'Assign a softtoken-app token; the activation e-mail goes to the user', body: assign, responses: { 201: tokenView }, errors: [409] }), async (ctx) => {
    const token = await tokens.assign(adminOf(ctx), ctx.params.id!, input(assign, ctx.request.body).name || undefined);
    ctx.status = 201;
    ctx.body = token;
  });

  router.post(`${base}/reactivate`, doc({ id: 'reactivateToken', summary: 'A new activation: the old secret stops working', responses: { 200: reactivatedToken }, errors: [409] }), async (ctx) => {
    ctx.body = await tokens.reactivate(adminOf(ctx), ctx.params.id!, ctx.params.tokenId!);
  });

  router.post(`${base}/complete`, doc({ id: 'completeToken', summary: 'Complete a manual activation with the registration code', body: complete, responses: { 200: tokenView }, errors: [409, 422] }), async (ctx) => {
    ctx.body = await tokens.complete(adminOf(ctx), ctx.params.id!, ctx.params.tokenId!, input(complete, ctx.request.body).registrationCode);
  });

  router.post(`${base}/reset`, doc({ id: 'resetToken', summary: 'Resynchronise a drifted token from two consecutive codes', body: reset, responses: { 200: resetToken }, errors: [409, 422] }), async (ctx) => {
    const { first, second } = input(reset, ctx.request.body);
    ctx.body = await tokens.reset(adminOf(ctx), ctx.params.id!, ctx.params.tokenId!, first, second);
  });

  router.post(`${base}/disable`, doc({ id: 'disableToken', summary: 'Disable a token (?allowLast=true for the last one)', query: lossQuery, responses: { 204: null }, errors: [409] }), async (ctx) => {
    await tokens.disable(adminOf(ctx), ctx.params.id!, ctx.params.tokenId!, input(lossQuery, ctx.query).allowLast === 'true');
    noContent(ctx);
  });

  router.post(`${base}/enable`, doc({ id: 'enableToken', summary: 'Enable a disabled token that kept its secret', responses: { 204: null }, errors: [409] }), async (ctx) => {
    await tokens.enable(adminOf(ctx), ctx.params.id!, ctx.params.tokenId!);
    noContent(ctx);
  });

  router.delete(base, doc({ id: 'deleteToken', summary: 'Delete a token (?allowLast=true for the last one)', query: lossQuery, responses: { 204: null }, errors: [409] }), async (ctx) => {
    await tokens.delete(adminOf(ctx), ctx.params.id!, ctx.params.tokenId!, input(lossQuery, ctx.query).allowLast === 'true');
    noContent(ctx);
  });
}
