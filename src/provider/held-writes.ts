// Writes whose caller may go on before they are on disk, because the response waits for them.
//
// A refresh-token rotation writes three rows one after the other (the old token consumed, the new
// refresh token, the access token). Awaiting each one's commit costs three commits in a row.
// Inside `holdWrites`, the adapter's writes on SQLite are only queued; the request goes on, and its
// response leaves only after every row it wrote is committed. So the three rows usually share one
// commit (write-batcher.ts), and nothing reaches the client before its rows are committed. A write
// that fails becomes the request's error, and the batcher then tries the request's writes again
// together or not at all: the client never gets a token that was not stored, and a rotation that
// failed leaves the old refresh token as it was. (One row is not held: an opaque client-credentials
// token, whose loss fails closed; adapter.ts, ANSWERED_BEFORE_COMMIT.) On PostgreSQL, where each
// pooled connection commits on its own, the request's writes are kept until it is handled and then
// written in one transaction (request-writes.ts): all or none there too.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Middleware } from 'koa';

interface Scope {
  open: boolean;
  writes: Promise<void>[];
  /** Settles when the request's handler is done, before its writes are awaited. */
  handled: Promise<void>;
}

const scopes = new AsyncLocalStorage<Scope>();

/**
 * The request whose writes may be held, if the current one does: the same object for all its writes
 * (the batcher keeps them together when it has to try them again).
 */
export function holdingRequest(): object | undefined {
  const scope = scopes.getStore();
  return scope?.open ? scope : undefined;
}

/** Keeps `write` for the response of the request `holdingRequest()` named to wait for. */
export function holdWrite(request: object, write: Promise<void>): void {
  // Awaited below; until then a failure must not count as unhandled.
  write.catch(() => undefined);
  (request as Scope).writes.push(write);
}

/** Settles once the request `holdingRequest()` named is handled: what it wrote is then all it will write. */
export function requestHandled(request: object): Promise<void> {
  return (request as Scope).handled;
}

/**
 * For POSTs to these paths, writes are held (above) and the response waits until all are settled;
 * if one failed, `failed` answers instead.
 */
export function holdWrites(paths: readonly string[], failed: (ctx: Context, err: unknown) => void | Promise<void>): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || !paths.includes(ctx.path)) return next();
    let handled!: () => void;
    const scope: Scope = { open: true, writes: [], handled: new Promise<void>((resolve) => (handled = resolve)) };
    try {
      await scopes.run(scope, next);
    } finally {
      scope.open = false;
      handled();
      const failure = (await Promise.allSettled(scope.writes)).find((r) => r.status === 'rejected');
      if (failure) await failed(ctx, failure.reason);
    }
  };
}
