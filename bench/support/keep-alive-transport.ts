// The benchmark's browser speaks plain node:http over kept-alive connections: the client shares the
// machine with the server, so the less CPU it spends, the more the figures say about the server.
import http from 'node:http';
import * as oidc from 'openid-client';
import { bodyText, exchange } from '../../src/support/http-exchange.js';
import type { Transport } from '../../test/support/user-agent.js';

// A connection idle for 4 s is closed from this side: the server closes idle ones at 5 s, and a request
// sent on one just as it does dies with `socket hang up` (rounds leave a server idle while the other runs).
const agent = new http.Agent({ keepAlive: true, timeout: 4000, maxSockets: 64 });

export const keepAliveTransport: Transport = (url, { method, headers, body }) =>
  new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const setCookie = res.headers['set-cookie'] ?? [];
        resolve({ status: res.statusCode!, setCookie, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });

/** openid-client's requests (the code exchange) over the same kept-alive connections instead of fetch. */
export function keepAliveFetch(rp: oidc.Configuration): void {
  rp[oidc.customFetch] = (url, { method, headers, body }) => exchange(http, { ...urlOptions(url), method, headers, agent }, bodyText(body));
}

function urlOptions(url: string): http.RequestOptions {
  const u = new URL(url);
  return { protocol: u.protocol, hostname: u.hostname, port: u.port, path: `${u.pathname}${u.search}` };
}
