// Admin API: groups of users, which application rules refer to.
import type Router from '@koa/router';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { PolicyActions } from '../actions/policy.actions.js';
import { adminOf, input, noContent } from './api-input.js';
import { routeDocs } from './openapi-doc.js';
import { groupList, groupView } from './openapi-schemas.js';

const doc = routeDocs('Groups');

const newGroup = z.object({ name: z.string().max(100), description: z.string().max(200).optional() }).strict();

export function groupsApi(router: Router, s: Services): void {
  const policy = new PolicyActions(s);

  router.get('/groups', doc({ id: 'listGroups', summary: 'All groups', responses: { 200: groupList } }), async (ctx) => {
    ctx.body = { groups: await policy.groups(adminOf(ctx)) };
  });

  router.post('/groups', doc({ id: 'createGroup', summary: 'Create a group', body: newGroup, responses: { 201: groupView }, errors: [409] }), async (ctx) => {
    const { name, description } = input(newGroup, ctx.request.body);
    const group = await policy.createGroup(adminOf(ctx), name, description);
    ctx.status = 201;
    ctx.body = group;
  });

  router.delete('/groups/:id', doc({ id: 'deleteGroup', summary: 'Delete a group no application rule names', responses: { 204: null }, errors: [409] }), async (ctx) => {
    await policy.deleteGroup(adminOf(ctx), ctx.params.id!);
    noContent(ctx);
  });
}
