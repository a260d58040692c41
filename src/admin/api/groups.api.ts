// Admin API: groups of users, which application rules refer to.
import type Router from '@koa/router';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { PolicyActions } from '../actions/policy.actions.js';
import { adminOf, input, noContent } from './api-input.js';

const newGroup = z.object({ name: z.string().max(100), description: z.string().max(200).optional() }).strict();

export function groupsApi(router: Router, s: Services): void {
  const policy = new PolicyActions(s);

  router.get('/groups', async (ctx) => {
    ctx.body = { groups: await policy.groups(adminOf(ctx)) };
  });

  router.post('/groups', async (ctx) => {
    const { name, description } = input(newGroup, ctx.request.body);
    const group = await policy.createGroup(adminOf(ctx), name, description);
    ctx.status = 201;
    ctx.body = group;
  });

  router.delete('/groups/:id', async (ctx) => {
    await policy.deleteGroup(adminOf(ctx), ctx.params.id!);
    noContent(ctx);
  });
}
