// Admin API: a user's recovery codes — whether they have a set and how many are left, and voiding it.
import type Router from '@koa/router';
import { z } from 'zod';
import type { RecoveryCodeStatus } from '../../recovery/recovery-code.service.js';
import type { Services } from '../../services.js';
import { RecoveryCodeActions } from '../actions/recovery-code.actions.js';
import { adminOf, noContent } from './api-input.js';
import { routeDocs } from './openapi-doc.js';

const doc = routeDocs('Recovery codes');

const status = z
  .strictObject({
    total: z.number().int().describe("Codes in the user's current set; 0: the user has none"),
    remaining: z.number().int().describe('Codes not used yet'),
    createdAt: z.number().int().nullable().describe('When the set was made (epoch milliseconds); null without a set'),
  })
  .meta({ id: 'RecoveryCodeStatus' });
true satisfies [z.output<typeof status>] extends [RecoveryCodeStatus] ? ([RecoveryCodeStatus] extends [z.output<typeof status>] ? true : false) : false;

export function recoveryCodesApi(router: Router, s: Services): void {
  const codes = new RecoveryCodeActions(s);

  router.get('/users/:id/recovery-codes', doc({ id: 'getRecoveryCodes', summary: "Whether a user has recovery codes and how many are left (never the codes)", responses: { 200: status } }), async (ctx) => {
    ctx.body = await codes.status(adminOf(ctx), ctx.params.id!);
  });

  router.delete('/users/:id/recovery-codes', doc({ id: 'voidRecoveryCodes', summary: "Void a user's recovery codes: none of them works any more", responses: { 204: null } }), async (ctx) => {
    await codes.void(adminOf(ctx), ctx.params.id!);
    noContent(ctx);
  });
}
