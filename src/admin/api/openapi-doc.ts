// Describes an admin API route beside the route itself: `doc({...})` is a pass-through middleware
// that carries the description, so the OpenAPI document is read off the router (openapi-document.ts)
// and a route that lacks one is found by the same walk (test/unit/openapi.test.ts fails on it).
import type { Middleware } from 'koa';
import type { z } from 'zod';

export interface ResponseDoc {
  description?: string;
  schema?: z.ZodType;
  /** application/json unless said. */
  contentType?: string;
}

export interface RouteDoc {
  /** The operationId: a client generator names its method after it (searchUsers, deleteToken). */
  id: string;
  summary: string;
  description?: string;
  /** The schema the route reads its query string with (an object of optional strings, coerced). */
  query?: z.ZodObject;
  /** The schema the route reads its JSON body with. */
  body?: z.ZodType;
  /** Success statuses: the body's schema, null for none (204), or a fuller description. */
  responses: Record<number, z.ZodType | null | ResponseDoc>;
  /** Failure statuses beyond those of every route (400, 401, 403, and 404 where the path names something). */
  errors?: number[];
}

export interface TaggedRouteDoc extends RouteDoc {
  tag: string;
}

const DOC = Symbol('admin-api-route-doc');

type Described = Middleware & { [DOC]?: TaggedRouteDoc };

/** `const doc = routeDocs('Users')`, then `router.get(path, doc({...}), handler)`. */
export function routeDocs(tag: string): (doc: RouteDoc) => Middleware {
  return (doc) => {
    const passThrough: Described = (_ctx, next) => next();
    passThrough[DOC] = { ...doc, tag };
    return passThrough;
  };
}

/** The description among a route's middleware, if it has one. */
export function docOf(stack: readonly unknown[]): TaggedRouteDoc | undefined {
  for (const fn of stack) {
    const doc = (fn as Described)[DOC];
    if (doc) return doc;
  }
  return undefined;
}
