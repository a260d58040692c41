// GET /admin/api/openapi.json: the admin API's OpenAPI 3.1 document, open to anyone. It describes
// shapes, never data, and client generators fetch it without credentials; every operation it lists
// still needs the admin token. Its own router, ahead of the API's, so the API's bearer check never runs for it.
import Router from '@koa/router';
import { openApiDocument } from './openapi-document.js';

export function openApiRoutes(adminApi: Router, issuer: string): Router {
  const router = new Router({ prefix: '/admin/api' });
  let document: string | undefined;
  router.get('/openapi.json', (ctx) => {
    // Built at the first request, when every route is registered.
    document ??= JSON.stringify(openApiDocument(adminApi, issuer), null, 2);
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/json';
    ctx.body = document;
  });
  return router;
}
