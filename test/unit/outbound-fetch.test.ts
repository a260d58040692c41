// Which addresses the provider may call (back-channel logout, jwks_uri): public ones always,
// private and special-use ones only by host name, address or network named by the operator.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { addressPolicy, OutboundRefused, outboundFetch } from '../../src/provider/outbound-fetch.js';

describe('outbound address policy', () => {
  const none = addressPolicy([]);
  const some = addressPolicy(['10.1.0.0/16', 'intranet.example', 'fd00::/8', '192.168.1.7']);

  it.each([
    ['public IPv4', 'api.example.com', '93.184.216.34', true, true],
    ['public IPv6', 'api.example.com', '2606:2800:220:1:248:1893:25c8:1946', true, true],
    ['loopback', 'localhost', '127.0.0.1', false, false],
    ['IPv6 loopback', 'localhost', '::1', false, false],
    ['RFC 1918 in the allowed network', 'app.corp', '10.1.2.3', false, true],
    ['RFC 1918 outside it', 'app.corp', '10.2.0.1', false, false],
    ['an allowed single address', 'x', '192.168.1.7', false, true],
    ['its neighbour', 'x', '192.168.1.8', false, false],
    ['a private address of an allowed host name', 'INTRANET.example', '172.16.0.5', false, true],
    ['link-local (cloud metadata)', 'metadata', '169.254.169.254', false, false],
    ['IPv4-mapped IPv6 of a private address', 'x', '::ffff:10.1.0.9', false, true],
    ['IPv4-mapped IPv6 of loopback', 'x', '::ffff:127.0.0.1', false, false],
    ['unique local IPv6 in the allowed network', 'x', 'fd12::1', false, true],
  ])('%s', (_name, host, address, byDefault, allowed) => {
    expect(none.refusal(host, address) === undefined).toBe(byDefault);
    expect(some.refusal(host, address) === undefined).toBe(allowed);
  });

  it('refuses a literal address before connecting and retries a 5xx once', async () => {
    let calls = 0;
    const server = createServer((_req, res) => {
      calls++;
      res.statusCode = calls === 1 ? 503 : 200;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      await expect(outboundFetch(none)(url, { method: 'POST', body: 'a=1' })).rejects.toBeInstanceOf(OutboundRefused);
      expect(calls).toBe(0);
      const res = await outboundFetch(addressPolicy(['127.0.0.1']))(url, { method: 'POST', body: 'a=1' });
      expect([res.status, await res.text(), calls]).toEqual([200, 'ok', 2]);
      // A name is judged by the address it resolves to, when the connection is made.
      await expect(outboundFetch(none)(url.replace('127.0.0.1', 'localhost'))).rejects.toBeInstanceOf(OutboundRefused);
      expect(calls).toBe(2);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
