// Admin API: applications (OIDC clients), their secrets and their resource rules.
import type Router from '@koa/router';
import { z } from 'zod';
import { LEVELS } from '../../authenticators/assurance.js';
import { clientFields, clientPatchSchema, clientRules } from '../../clients/client.schema.js';
import type { Services } from '../../services.js';
import { PolicyActions } from '../actions/policy.actions.js';
import { adminOf, input, noContent } from './api-input.js';
import { routeDocs } from './openapi-doc.js';
import { clientCredentials, clientList, clientRule } from './openapi-schemas.js';

const doc = routeDocs('Applications');

const newClient = clientFields.strict().superRefine(clientRules);
const clientPatch = clientPatchSchema.strict();
const rule = z.object({ allowedGroups: z.array(z.string().min(1).max(100)).max(1000), minLevel: z.enum(LEVELS) }).strict();

export function clientsApi(router: Router, s: Services): void {
  const policy = new PolicyActions(s);

  router.get('/clients', doc({ id: 'listClients', summary: 'All applications and service accounts, with their rules', responses: { 200: clientList } }), async (ctx) => {
    ctx.body = { clients: await policy.clients(adminOf(ctx)) };
  });

  router.post('/clients', doc({ id: 'createClient', summary: 'Register an application; its secret is in the answer, once', body: newClient, responses: { 201: clientCredentials }, errors: [409] }), async (ctx) => {
    const created = await policy.addClient(adminOf(ctx), input(newClient, ctx.request.body));
    ctx.status = 201;
    ctx.body = created;
  });

  router.patch('/clients/:id', doc({ id: 'updateClient', summary: 'Change an application', body: clientPatch, responses: { 204: null }, errors: [409] }), async (ctx) => {
    await policy.updateClient(adminOf(ctx), ctx.params.id!, input(clientPatch, ctx.request.body));
    noContent(ctx);
  });

  router.delete('/clients/:id', doc({ id: 'deleteClient', summary: 'Delete an application (never the console\'s own)', responses: { 204: null }, errors: [409] }), async (ctx) => {
    await policy.deleteClient(adminOf(ctx), ctx.params.id!);
    noContent(ctx);
  });

  router.post('/clients/:id/secret', doc({ id: 'rotateClientSecret', summary: 'A new secret; the old one and its tokens stop working', responses: { 200: clientCredentials } }), async (ctx) => {
    ctx.body = { clientId: ctx.params.id, clientSecret: await policy.rotateSecret(adminOf(ctx), ctx.params.id!) };
  });

  router.get('/clients/:id/rule', doc({ id: 'getClientRule', summary: 'Who may sign in to the application, and how strongly', responses: { 200: clientRule } }), async (ctx) => {
    ctx.body = await policy.rule(adminOf(ctx), ctx.params.id!);
  });

  router.put('/clients/:id/rule', doc({ id: 'setClientRule', summary: 'Set the groups allowed and the minimum assurance level', body: rule, responses: { 200: clientRule } }), async (ctx) => {
    const body = input(rule, ctx.request.body);
    await policy.setRule(adminOf(ctx), ctx.params.id!, body);
    ctx.body = await policy.rule(adminOf(ctx), ctx.params.id!);
  });
}
