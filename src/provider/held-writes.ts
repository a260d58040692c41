// Writes whose caller may go on before they are on disk, because the response waits for them.
//
// A refresh-token rotation writes three rows one after the other (the old token consumed, the new
// refresh token, the access token). Awaiting each one's commit costs three synced commits in a
// row. Inside `holdWrites`, the adapter's writes on SQLite are only queued; the request goes on,
// and its response leaves only after every row it wrote is committed. So the three rows usually share
// one commit (write-batcher.ts), and nothing reaches the client before its rows are durable.
// A write that fails becomes the request's error: the client never gets a token that was not stored.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Middleware } from 'koa';

interface Scope {
  open: boolean;
  writes: Promise<void>[];
}

const scopes = new AsyncLocalStorage<Scope>();

/**
 * Keeps `write` for the current request's response to wait for, and says whether it did. Outside a
 * request that holds its writes (or once its response is on its way) the caller must await it.
 */
export function heldWrite(write: Promise<void>): boolean {
  const scope = scopes.getStore();
  if (!scope?.open) return false;
  // Awaited below; until then a failure must not count as unhandled.
  write.catch(() => undefined);
  scope.writes.push(write);
  return true;
}

/** For POSTs to these paths, writes are held (above) and the response waits until all are committed. */
export function holdWrites(paths: readonly string[]): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || !paths.includes(ctx.path)) return next();
    const scope: Scope = { open: true, writes: [] };
    try {
      await scopes.run(scope, next);
    } finally {
      scope.open = false;
      // Throws the first write that failed; the boundary answers it instead of the tokens.
      await Promise.all(scope.writes);
    }
  };
}
