// Signs and checks cookie signatures for oidc-provider, which takes "your own KeyGrip" as its cookie
// keys (and gives it to Koa's cookies module). The format is keygrip's: HMAC-SHA1 in base64url with
// the first key, a signature by any key accepted, so cookies signed before stay valid. The keys become
// KeyObjects once and a check costs one HMAC; keygrip keys every HMAC with a raw key and compares
// with two more (tsscmp): several times the cost, several checks per request (figures in the README).
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { constantTimeEqual } from './constant-time.js';

export class CookieSigner {
  readonly #keys: KeyObject[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('CookieSigner needs at least one key');
    this.#keys = keys.map((key) => createSecretKey(Buffer.from(key, 'utf8')));
  }

  sign(data: string): string {
    return mac(data, this.#keys[0]!);
  }

  verify(data: string, digest: string): boolean {
    return this.index(data, digest) > -1;
  }

  /** Which key signed `data` (0 = the current one), or -1. */
  index(data: string, digest: string): number {
    if (typeof digest !== 'string') return -1;
    return this.#keys.findIndex((key) => constantTimeEqual(digest, mac(data, key)));
  }
}

function mac(data: string, key: KeyObject): string {
  return createHmac('sha1', key).update(data).digest('base64url');
}
