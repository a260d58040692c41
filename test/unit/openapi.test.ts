// The admin API's OpenAPI document is read off the router: every route must carry a description
// (a route without one fails here, so in CI), the document must be valid OpenAPI 3.1 and list
// exactly the routes the router has, with their path parameters, bodies and answers.
import { describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import type Provider from 'oidc-provider';
import { adminApiRoutes } from '../../src/admin/api/admin-api.routes.js';
import { adminRoutesOf, openApiDocument } from '../../src/admin/api/openapi-document.js';
import type { Services } from '../../src/services.js';

// The routes are registered without being run: no database, no provider.
const router = adminApiRoutes({} as Provider, {} as Services);
const routes = adminRoutesOf(router);
const document = openApiDocument(router, 'https://id.example.com') as {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, { operationId: string; summary: string; parameters?: Array<{ name: string; in: string }>; requestBody?: unknown; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
};
const operations = Object.entries(document.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ path, method, op })));

describe('admin API OpenAPI document', () => {
  it('has a route for every area of the API', () => {
    expect(routes.length).toBeGreaterThanOrEqual(30);
    for (const path of ['/users', '/users/{id}/tokens', '/users/{id}/passkeys', '/clients', '/groups', '/settings', '/audit']) {
      expect(routes.map((r) => r.path)).toContain(path);
    }
  });

  it('describes every /admin/api route (add doc({...}) beside a new route)', () => {
    const undescribed = routes.filter((r) => !r.doc).map((r) => `${r.method.toUpperCase()} /admin/api${r.path}`);
    expect(undescribed).toEqual([]);
  });

  it('lists every route of the router, and nothing else', () => {
    const listed = operations.map(({ method, path }) => `${method} ${path}`).sort();
    expect(listed).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(document as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(document.servers).toEqual([{ url: 'https://id.example.com/admin/api' }]);
  });

  it('gives each operation a unique id, a summary, its path parameters, and a success answer', () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, op } of operations) {
      expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.summary.length).toBeGreaterThan(5);
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)).toEqual(inPath);
      expect(Object.keys(op.responses).some((status) => /^2\d\d$/.test(status))).toBe(true);
      expect(op.responses['401']).toBeDefined();
    }
  });

  it('takes request schemas from the zod schemas the routes parse with', () => {
    const create = document.paths['/users']!.post!;
    expect(create.requestBody).toMatchObject({
      required: true,
      content: { 'application/json': { schema: { type: 'object', required: expect.arrayContaining(['username', 'email']), additionalProperties: false } } },
    });
    const search = document.paths['/users']!.get!;
    expect(search.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(['query:q', 'query:page']);
    // An empty body is fine where every field is optional.
    expect(document.paths['/users/{id}/tokens']!.post!.requestBody).toMatchObject({ required: false });
  });

  it('refers every schema it names to a component that exists', () => {
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) expect(Object.keys(document.components.schemas)).toContain(ref);
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['Error', 'User', 'Token', 'Passkey', 'Client', 'Group', 'Setting', 'AuditEvent']));
  });
});
