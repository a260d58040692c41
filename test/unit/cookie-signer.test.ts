// Cookie signatures: the same as keygrip's (Koa's default), so cookies signed before an upgrade stay
// valid, and a signature by any listed key is accepted.
import { describe, expect, it } from '@jest/globals';
import Keygrip from 'keygrip';
import Cookies from 'cookies';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CookieSigner } from '../../src/security/cookie-signer.js';

const keys = ['current key 6f1c0e', 'older key 2b9d4a'];

describe('cookie signer', () => {
  it('signs exactly as keygrip does with the first key', () => {
    const grip = new Keygrip(keys);
    for (const data of ['_interaction=abc', 'csrf=' + 'x'.repeat(40), '_session=ü/+=']) {
      expect(new CookieSigner(keys).sign(data)).toBe(grip.sign(data));
    }
  });

  it('tells which key signed, and refuses a wrong or missing signature', () => {
    const signer = new CookieSigner(keys);
    const data = '_session=s1';
    expect(signer.index(data, new Keygrip([keys[0]!]).sign(data))).toBe(0);
    expect(signer.index(data, new Keygrip([keys[1]!]).sign(data))).toBe(1);
    expect(signer.verify(data, new Keygrip(['another key']).sign(data))).toBe(false);
    expect(signer.verify('_session=s2', signer.sign(data))).toBe(false);
    expect(signer.verify(data, signer.sign(data).slice(0, -1))).toBe(false);
    expect(signer.verify(data, undefined as unknown as string)).toBe(false);
  });

  it('is accepted by the cookies module for signed cookies', () => {
    const headers: Record<string, string[]> = {};
    const res = { getHeader: (n: string) => headers[n.toLowerCase()], setHeader: (n: string, v: string[]) => (headers[n.toLowerCase()] = v) };
    new Cookies({ headers: {}, socket: {} } as unknown as IncomingMessage, res as unknown as ServerResponse, { keys: new CookieSigner(keys) }).set('sid', 'v1', { signed: true });
    const sent = headers['set-cookie']!.map((c) => c.split(';')[0]).join('; ');
    const read = (signer: CookieSigner) => new Cookies({ headers: { cookie: sent }, socket: {} } as unknown as IncomingMessage, res as unknown as ServerResponse, { keys: signer }).get('sid', { signed: true });
    expect(read(new CookieSigner(['new key', ...keys]))).toBe('v1');
    expect(read(new CookieSigner(['unrelated key']))).toBeUndefined();
  });

  it('needs a key', () => {
    expect(() => new CookieSigner([])).toThrow();
  });
});
