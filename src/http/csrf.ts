// CSRF protection for every HTML form: a random cookie, and a form token that is its HMAC.
import { createHmac, createSecretKey } from 'node:crypto';
import type { Middleware } from 'koa';
import { AppError } from '../errors/app-error.js';
import { field } from './form-body.js';
import { constantTimeEqual } from '../security/constant-time.js';
import { randomToken } from '../security/random.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfProtection(key: Buffer, secure: boolean): Middleware {
  const cookie = secure ? '__Host-csrf' : 'csrf';
  // A KeyObject made once: an HMAC keyed with a raw Buffer costs several times more, on every request.
  const hmacKey = createSecretKey(key);
  const tokenFor = (id: string) => createHmac('sha256', hmacKey).update(`csrf:${id}`).digest('base64url');
  return async (ctx, next) => {
    let id = ctx.cookies.get(cookie);
    if (!id || id.length < 32) {
      id = randomToken(24);
      ctx.cookies.set(cookie, id, { httpOnly: true, sameSite: 'lax', secure, path: '/', overwrite: true });
      // A browser without the cookie cannot have a valid form yet.
      if (!SAFE.has(ctx.method)) throw new AppError('csrf.invalid');
    }
    const expected = tokenFor(id);
    ctx.state.csrfToken = expected;
    if (!SAFE.has(ctx.method)) {
      const sent = field(ctx, '_csrf') || ctx.get('x-csrf-token');
      if (!sent || !constantTimeEqual(sent, expected)) throw new AppError('csrf.invalid');
    }
    await next();
  };
}
