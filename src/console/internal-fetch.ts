// The provider's own pages (My Profile, the admin console, the demo) talk to its endpoints like any
// application: discovery, the code exchange, the keys. Inside a container the public issuer address
// is not always reachable (no hairpin through the load balancer), so with INTERNAL_URL those requests
// go to this process directly, keeping the public host name and scheme (as forwarded headers, which
// the provider honours with TRUST_PROXY) so that it answers exactly as it would to the outside.
import http from 'node:http';
import https from 'node:https';
import type * as oidc from 'openid-client';
import { bodyText, exchange } from '../support/http-exchange.js';

export function internalFetch(issuer: string, internalUrl: string): oidc.CustomFetch {
  const outside = new URL(issuer);
  const inside = new URL(internalUrl);
  const client = inside.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true });
  return async (url, { method, headers, body, signal }) => {
    const target = new URL(url);
    // Anything not on the issuer's origin goes out as usual.
    if (target.origin !== outside.origin) return fetch(url, { method, headers, body: body as string | undefined, signal, redirect: 'manual' });
    const sent = {
      ...headers,
      host: outside.host,
      'x-forwarded-host': outside.host,
      'x-forwarded-proto': outside.protocol.slice(0, -1),
    };
    const path = `${target.pathname}${target.search}`;
    return exchange(client, { protocol: inside.protocol, hostname: inside.hostname, port: inside.port, path, method, headers: sent, agent, signal }, bodyText(body));
  };
}
