// POST at the authorization and end-session endpoints (OIDC Core 3.1.2.1, RP-Initiated Logout §2)
// without SameSite=None cookies. A form posted from an application's site is cross-site: a browser
// withholds the provider's SameSite=Lax session cookie from it, so the provider would not know who
// is signed in (oidc-provider's `enableHttpPostMethods` therefore demands SameSite=None). A
// cross-site top-level GET does carry Lax cookies, so the POST is answered with a 303 to the same
// endpoint, which the browser follows as a GET with the cookies, and the request is handled there.
//
// The trade-off: a GET carries its parameters in the URL, where browser history, proxies and
// server logs keep them. So the form is not copied into the URL in the clear: it is sealed
// (AES-256-GCM under a server key, bound to the endpoint, valid for REQUEST_LIFETIME_MS) into one
// `_post` parameter that only this server can open. An id_token_hint, a login_hint or a claims
// request posted by an application stays unreadable outside the provider; a sealed URL taken from
// a history replays the same request it was (as a GET URL would) and only for a few minutes.
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import type { Middleware } from 'koa';
import { AppError } from '../errors/app-error.js';
import type { Clock } from '../support/clock.js';

export const SEALED_PARAM = '_post';
/** How long the sealed request can be followed (a browser follows it at once). */
const REQUEST_LIFETIME_MS = 10 * 60 * 1000;
/** An authorization or logout request well beyond any real one (URLs past ~8 KiB fail in proxies). */
const MAX_FORM_BYTES = 4096;

export function postAsGet(paths: string[], key: KeyObject, clock: Clock): Middleware {
  const served = new Set(paths);
  const seal = (path: string, form: string): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(path));
    const plain = JSON.stringify({ at: clock.now(), form });
    return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64url');
  };
  const open = (path: string, sealed: string): string | undefined => {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 29) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(Buffer.from(path));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const { at, form } = JSON.parse(Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8')) as { at: number; form: string };
      return clock.now() - at <= REQUEST_LIFETIME_MS && at <= clock.now() + 60_000 ? form : undefined;
    } catch {
      return undefined;
    }
  };

  return async (ctx, next) => {
    if (!served.has(ctx.path)) return next();
    if (ctx.method === 'POST') {
      if (!ctx.is('application/x-www-form-urlencoded')) throw new AppError('request.invalid', {}, 415);
      const form = await readForm(ctx.req);
      ctx.status = 303;
      ctx.redirect(`${ctx.path}?${SEALED_PARAM}=${seal(ctx.path, form)}`);
      return;
    }
    if (ctx.method === 'GET' && ctx.query[SEALED_PARAM] !== undefined) {
      const sealed = ctx.query[SEALED_PARAM];
      const form = typeof sealed === 'string' && Object.keys(ctx.query).length === 1 ? open(ctx.path, sealed) : undefined;
      if (form === undefined) throw new AppError('protocol.post_expired');
      // oidc-provider reads the request from the query string, as if the application had sent a GET.
      ctx.querystring = form;
    }
    return next();
  };
}

async function readForm(req: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new AppError('request.too_large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  // Normalised through URLSearchParams: the query string oidc-provider reads is well formed.
  return new URLSearchParams(text).toString();
}
