// Admin API: applications (OIDC clients), their secrets and their resource rules.
import type Router from '@koa/router';
import { z } from 'zod';
import { LEVELS } from '../../authenticators/assurance.js';
import { newClientSchema } from '../../clients/client.schema.js';
import type { Services } from '../../services.js';
import { PolicyActions } from '../actions/policy.actions.js';
import { adminOf, input, noContent } from './api-input.js';

const newClient = newClientSchema.strict();
const clientPatch = newClientSchema.pick({ name: true, redirectUris: true, postLogoutRedirectUris: true, backchannelLogoutUri: true }).partial().strict();
const rule = z.object({ allowedGroups: z.array(z.string().min(1).max(100)).max(1000), minLevel: z.enum(LEVELS) }).strict();

export function clientsApi(router: Router, s: Services): void {
  const policy = new PolicyActions(s);

  router.get('/clients', async (ctx) => {
    ctx.body = { clients: await policy.clients(adminOf(ctx)) };
  });

  router.post('/clients', async (ctx) => {
    const created = await policy.addClient(adminOf(ctx), input(newClient, ctx.request.body));
    ctx.status = 201;
    ctx.body = created;
  });

  router.patch('/clients/:id', async (ctx) => {
    await policy.updateClient(adminOf(ctx), ctx.params.id!, input(clientPatch, ctx.request.body));
    noContent(ctx);
  });

  router.delete('/clients/:id', async (ctx) => {
    await policy.deleteClient(adminOf(ctx), ctx.params.id!);
    noContent(ctx);
  });

  router.post('/clients/:id/secret', async (ctx) => {
    ctx.body = { clientId: ctx.params.id, clientSecret: await policy.rotateSecret(adminOf(ctx), ctx.params.id!) };
  });

  router.get('/clients/:id/rule', async (ctx) => {
    ctx.body = await policy.rule(adminOf(ctx), ctx.params.id!);
  });

  router.put('/clients/:id/rule', async (ctx) => {
    const body = input(rule, ctx.request.body);
    await policy.setRule(adminOf(ctx), ctx.params.id!, body);
    ctx.body = await policy.rule(adminOf(ctx), ctx.params.id!);
  });
}
