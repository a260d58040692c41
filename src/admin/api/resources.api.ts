// Admin API: resource servers (APIs). The identifier is a URI, so routes take it URL-encoded.
import type Router from '@koa/router';
import { newResourceServerSchema, resourceServerPatchSchema } from '../../resources/resource-server.schema.js';
import type { Services } from '../../services.js';
import { ResourceActions } from '../actions/resource.actions.js';
import { adminOf, input, noContent } from './api-input.js';
import { routeDocs } from './openapi-doc.js';
import { clientCredentials, createdResourceServer, resourceServerList, resourceServerView } from './openapi-schemas.js';

const doc = routeDocs('Resource servers');

const newResource = newResourceServerSchema.strict();
const resourcePatch = resourceServerPatchSchema.strict();

export function resourcesApi(router: Router, s: Services): void {
  const resources = new ResourceActions(s);

  router.get('/resource-servers', doc({ id: 'listResourceServers', summary: 'All resource servers (APIs)', responses: { 200: resourceServerList } }), async (ctx) => {
    ctx.body = { resourceServers: await resources.list(adminOf(ctx)) };
  });

  router.post('/resource-servers', doc({ id: 'createResourceServer', summary: 'Register an API; its introspection secret is in the answer, once', body: newResource, responses: { 201: createdResourceServer }, errors: [409] }), async (ctx) => {
    const created = await resources.add(adminOf(ctx), input(newResource, ctx.request.body));
    ctx.status = 201;
    ctx.body = created;
  });

  router.get('/resource-servers/:identifier', doc({ id: 'getResourceServer', summary: 'A resource server (identifier URL-encoded)', responses: { 200: resourceServerView } }), async (ctx) => {
    ctx.body = await resources.get(adminOf(ctx), ctx.params.identifier!);
  });

  router.patch('/resource-servers/:identifier', doc({ id: 'updateResourceServer', summary: 'Change name, scopes, token format, lifetime or signing algorithm', body: resourcePatch, responses: { 200: resourceServerView } }), async (ctx) => {
    ctx.body = await resources.update(adminOf(ctx), ctx.params.identifier!, input(resourcePatch, ctx.request.body));
  });

  router.delete('/resource-servers/:identifier', doc({ id: 'deleteResourceServer', summary: 'Delete a resource server and its introspection credentials', responses: { 204: null } }), async (ctx) => {
    await resources.delete(adminOf(ctx), ctx.params.identifier!);
    noContent(ctx);
  });

  router.post('/resource-servers/:identifier/secret', doc({ id: 'rotateResourceServerSecret', summary: 'A new introspection secret; the old one stops working', responses: { 200: clientCredentials } }), async (ctx) => {
    ctx.body = await resources.rotateSecret(adminOf(ctx), ctx.params.identifier!);
  });
}
