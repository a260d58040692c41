// GET /admin/api/openapi.json is served without a token, and the running API answers as it says:
// a walk through the API checks each answer's status is one the document lists for that operation
// and its body against the documented schema, strictly (a field added or gone fails here).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { adminApiRoutes } from '../../src/admin/api/admin-api.routes.js';
import { docOf, type RouteDoc } from '../../src/admin/api/openapi-doc.js';
import { errorBody } from '../../src/admin/api/openapi-schemas.js';
import type { Services } from '../../src/services.js';
import { type AdminApi, serviceAccount } from '../support/admin-api.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type Operation = { operationId: string; responses: Record<string, { content?: Record<string, unknown> }> };
type Document = { openapi: string; servers: Array<{ url: string }>; paths: Record<string, Record<string, Operation>> };

// The same routes, registered without running, to find each call's description and schemas.
const router = adminApiRoutes({} as Provider, {} as Services);

function describedRoute(method: string, path: string): { doc: RouteDoc; pattern: string } {
  const full = `/admin/api${path.split('?')[0]}`;
  const layer = router.stack.find((l) => l.methods.includes(method) && typeof l.path === 'string' && l.match(full));
  const doc = layer && docOf(layer.stack);
  if (!doc) throw new Error(`no described route for ${method} ${full}`);
  return { doc, pattern: (layer.path as string).slice('/admin/api'.length).replace(/:(\w+)/g, '{$1}') };
}

describe('the OpenAPI document of the running admin API', () => {
  let server: TestServer;
  let api: AdminApi;
  let document: Document;
  const exercised = new Set<string>();

  beforeAll(async () => {
    server = await startTestServer();
    api = await serviceAccount(server, 'contract-superadmin', 'superadmin');
  });
  afterAll(async () => server?.close());

  it('is served to anyone, as JSON, naming this server', async () => {
    const res = await fetch(`${server.url}/admin/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    document = (await res.json()) as Document;
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: `${server.url}/admin/api` }]);
    expect(Object.keys(document.paths)).toContain('/users/{id}');
    // Only the document is open: the API itself still wants the token.
    expect((await fetch(`${server.url}/admin/api/users`)).status).toBe(401);
  });

  /** Calls the API and checks the answer against the document; returns the body. */
  async function call(method: string, path: string, body: unknown, expected: number): Promise<any> {
    const res = await api.request(method, path, body);
    expect({ call: `${method} ${path}`, status: res.status, body: res.body }).toMatchObject({ status: expected });
    const { doc, pattern } = describedRoute(method, path);
    const operation = document.paths[pattern]?.[method.toLowerCase()];
    expect(operation?.operationId).toBe(doc.id);
    expect(Object.keys(operation!.responses)).toContain(String(res.status));
    exercised.add(doc.id);
    const answer = doc.responses[res.status];
    if (res.status >= 400) {
      errorBody.parse(res.body);
    } else if (answer === null) {
      expect(res.text).toBe('');
    } else {
      const { schema, contentType } = answer instanceof z.ZodType ? { schema: answer, contentType: undefined } : (answer as { schema: z.ZodType; contentType?: string });
      if (contentType === 'application/x-ndjson') {
        expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
        for (const line of res.text.trim().split('\n')) schema.parse(JSON.parse(line));
      } else {
        const parsed = schema.safeParse(res.body);
        if (!parsed.success) throw new Error(`${method} ${path} answered outside its documented schema: ${JSON.stringify(parsed.error.issues, null, 2)}`);
      }
    }
    return res.body;
  }

  it('answers each call with a documented status and a body that fits its schema', async () => {
    const { user } = await call('POST', '/users', { username: 'olga', email: 'olga@example.com', mobile: '+15557770002' }, 201);
    await call('POST', '/users', { username: 'x' }, 400);
    await call('GET', '/users?q=olga', undefined, 200);
    await call('GET', `/users/${user.id}`, undefined, 200);
    await call('GET', '/users/no-such-user', undefined, 404);
    await call('PATCH', `/users/${user.id}`, { name: 'Olga' }, 200);
    await call('GET', `/users/${user.id}/sessions`, undefined, 200);

    const token = await call('POST', `/users/${user.id}/tokens`, { name: 'laptop' }, 201);
    await call('GET', `/users/${user.id}/tokens`, undefined, 200);
    await call('POST', `/users/${user.id}/tokens/${token.id}/reactivate`, undefined, 200);
    await call('POST', `/users/${user.id}/tokens/${token.id}/disable`, undefined, 409);
    await call('GET', `/users/${user.id}/passkeys`, undefined, 200);
    await call('GET', `/users/${user.id}/recovery-codes`, undefined, 200);

    const group = await call('POST', '/groups', { name: 'operators' }, 201);
    await call('GET', '/groups', undefined, 200);
    await call('PUT', `/users/${user.id}/groups`, { groupIds: [group.id] }, 204);
    await call('POST', `/users/${user.id}/lock`, undefined, 204);
    await call('POST', `/users/${user.id}/unlock`, undefined, 204);
    await call('PUT', `/users/${user.id}/password`, { password: 'a temporary password 1' }, 204);
    await call('POST', `/users/${user.id}/reset-link`, undefined, 202);

    await call('POST', '/clients', { clientId: 'contract-app', redirectUris: ['https://app.example.com/cb'] }, 201);
    await call('GET', '/clients', undefined, 200);
    await call('PATCH', '/clients/contract-app', { name: 'Contract app' }, 204);
    await call('GET', '/clients/contract-app/rule', undefined, 200);
    await call('PUT', '/clients/contract-app/rule', { allowedGroups: [group.id], minLevel: 'urn:idp:acr:mfa' }, 200);
    await call('POST', '/clients/contract-app/secret', undefined, 200);
    await call('DELETE', `/groups/${group.id}`, undefined, 409);
    await call('DELETE', '/clients/contract-app', undefined, 204);

    const orders = encodeURIComponent('https://api.example.com/orders');
    await call('POST', '/resource-servers', { identifier: 'https://api.example.com/orders', name: 'Orders', scopes: ['orders:read'] }, 201);
    await call('GET', '/resource-servers', undefined, 200);
    await call('GET', `/resource-servers/${orders}`, undefined, 200);
    await call('PATCH', `/resource-servers/${orders}`, { scopes: ['orders:read', 'orders:write'] }, 200);
    await call('POST', `/resource-servers/${orders}/secret`, undefined, 200);
    await call('DELETE', `/resource-servers/${orders}`, undefined, 204);

    await call('GET', '/settings', undefined, 200);
    await call('PATCH', '/settings', { 'pin.ttl': 600 }, 200);
    await call('DELETE', '/settings/pin.ttl', undefined, 204);

    await call('GET', '/audit?type=user.created', undefined, 200);
    await call('GET', `/audit/export?subject=${user.id}`, undefined, 200);
    await call('POST', `/users/${user.id}/disable`, undefined, 204);
    await call('DELETE', `/users/${user.id}`, undefined, 204);

    expect(exercised.size).toBeGreaterThanOrEqual(34);
  });
});
