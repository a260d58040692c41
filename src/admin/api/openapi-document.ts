// The OpenAPI 3.1 document of /admin/api, read off the router itself: each route's method and path
// from its layer, its words and schemas from the `doc({...})` beside it (openapi-doc.ts). Request
// schemas are the zod schemas the routes parse with; answers are openapi-schemas.ts.
import type Router from '@koa/router';
import { z } from 'zod';
import { ADMIN_SCOPE } from '../../provider/provider.js';
import { docOf, type ResponseDoc, type TaggedRouteDoc } from './openapi-doc.js';
import { errorBody } from './openapi-schemas.js';

export interface AdminRoute {
  /** Lower case, as OpenAPI writes it. */
  method: string;
  /** Below /admin/api, with {param} placeholders. */
  path: string;
  params: string[];
  doc?: TaggedRouteDoc;
}

type Json = Record<string, unknown>;

const TAGS: Record<string, string> = {
  Users: 'People who sign in: search, create, edit, status, lockout, password, groups, sessions',
  'Soft tokens': "A user's soft tokens: assign, reactivate, complete, resynchronise, disable, delete",
  Passkeys: "A user's passkeys",
  'Recovery codes': "A user's recovery codes: how many are left, and voiding them",
  Applications: 'OIDC clients, their secrets and their access rules',
  'Resource servers': 'APIs that accept this provider\'s access tokens: scopes, token format, introspection credentials',
  Groups: 'Groups of users, named by application rules',
  Settings: 'Policy settings an administrator may change at run time',
  Audit: 'The audit trail',
};

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
  400: 'The request is not valid (the message names the field)',
  401: 'No valid bearer token with the admin scope',
  403: "The service account's role does not allow this",
  404: 'Not found',
  409: 'Conflicts with the current state (the message says what)',
  413: 'The request is too large',
  422: 'A value in the request was checked and refused (a registration code, a token code)',
};

/** Every route of the router (HEAD, added by the router for each GET, aside), described or not. */
export function adminRoutesOf(router: Router): AdminRoute[] {
  const prefix = router.opts.prefix ?? '';
  return router.stack
    .filter((layer) => layer.methods.length > 0 && typeof layer.path === 'string')
    .flatMap((layer) =>
      layer.methods
        .filter((m) => m !== 'HEAD')
        .map((m) => ({
          method: m.toLowerCase(),
          path: (layer.path as string).slice(prefix.length).replace(/:(\w+)/g, '{$1}'),
          params: layer.paramNames.map((key) => String(key.name)),
          doc: docOf(layer.stack),
        })),
    );
}

/** Converts zod to JSON Schema 2020-12; schemas with an id go to components, the rest inline. */
class SchemaSet {
  readonly components: Record<string, Json> = {};

  response(schema: z.ZodType): Json {
    return this.#hoist(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }) as Json);
  }

  /** What a client sends: defaults make a field optional; no ids (an input can differ from its output). */
  request(schema: z.ZodType): Json {
    return this.#hoist(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any', metadata: z.registry<{ id?: string }>() }) as Json);
  }

  #hoist(out: Json): Json {
    const { $schema: _, $defs, ...schema } = out;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, Json>)) this.components[id] = relink(def) as Json;
    return relink(schema) as Json;
  }
}

function relink(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relink);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : relink(v)]),
  );
}

function queryParameters(schemas: SchemaSet, query: z.ZodObject): Json[] {
  const json = schemas.request(query) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    schema,
  }));
}

function operation(schemas: SchemaSet, route: AdminRoute, doc: TaggedRouteDoc): Json {
  const parameters = [
    ...route.params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...(doc.query ? queryParameters(schemas, doc.query) : []),
  ];
  const responses: Record<string, Json> = {};
  for (const [status, answer] of Object.entries(doc.responses)) {
    const full: ResponseDoc = answer === null ? {} : answer instanceof z.ZodType ? { schema: answer } : answer;
    responses[status] = {
      description: full.description ?? STATUS_TEXT[Number(status)] ?? 'OK',
      ...(full.schema ? { content: { [full.contentType ?? 'application/json']: { schema: schemas.response(full.schema) } } } : {}),
    };
  }
  const errors = new Set([...(doc.query || doc.body ? [400] : []), 401, 403, ...(route.params.length ? [404] : []), ...(doc.body ? [413] : []), ...(doc.errors ?? [])]);
  for (const status of [...errors].sort((a, b) => a - b)) {
    responses[String(status)] = { description: STATUS_TEXT[status] ?? 'Refused', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return {
    operationId: doc.id,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body
      ? { requestBody: { required: !doc.body.safeParse({}).success, content: { 'application/json': { schema: schemas.request(doc.body) } } } }
      : {}),
    responses,
  };
}

export function openApiDocument(router: Router, issuer: string): Json {
  const schemas = new SchemaSet();
  schemas.response(errorBody);
  const paths: Record<string, Record<string, Json>> = {};
  const tags: string[] = [];
  for (const route of adminRoutesOf(router)) {
    if (!route.doc) continue; // test/unit/openapi.test.ts fails the build on such a route
    (paths[route.path] ??= {})[route.method] = operation(schemas, route, route.doc);
    if (!tags.includes(route.doc.tag)) tags.push(route.doc.tag);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Identity provider admin API',
      version: '1.0.0',
      description:
        'Manage users, soft tokens, passkeys, applications, groups, settings and the audit log. Call it with an access token ' +
        `from the client credentials grant with the ${ADMIN_SCOPE} scope, issued to a service account (\`idp client add-service --id NAME --role ROLE\`); ` +
        "the account's role (helpdesk, admin, superadmin) decides what it may do. Times are epoch milliseconds.",
    },
    servers: [{ url: `${issuer}/admin/api` }],
    security: [{ adminToken: [ADMIN_SCOPE] }],
    tags: tags.map((name) => ({ name, ...(TAGS[name] ? { description: TAGS[name] } : {}) })),
    paths,
    components: {
      schemas: schemas.components,
      securitySchemes: {
        adminToken: {
          type: 'oauth2',
          description: 'A service account\'s client credentials token with the admin scope, sent as "Authorization: Bearer <token>"',
          flows: { clientCredentials: { tokenUrl: `${issuer}/token`, scopes: { [ADMIN_SCOPE]: 'Use the admin API with the role of the service account' } } },
        },
      },
    },
  };
}
