// The provider's own pages (My Profile, the admin console, the demo) talk to its endpoints like any
// application: discovery, the code exchange, the keys. Inside a container the public issuer address
// is not always reachable (no hairpin through the load balancer), so with INTERNAL_URL those requests
// go to this process directly, keeping the public host name and scheme (as forwarded headers, which
// the provider honours with TRUST_PROXY) so that it answers exactly as it would to the outside.
import http from 'node:http';
import https from 'node:https';
import type * as oidc from 'openid-client';

const NO_BODY = new Set([101, 204, 205, 304]);

export function internalFetch(issuer: string, internalUrl: string): oidc.CustomFetch {
  const outside = new URL(issuer);
  const inside = new URL(internalUrl);
  const client = inside.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true });
  return async (url, { method, headers, body, signal }) => {
    const target = new URL(url);
    // Anything not on the issuer's origin goes out as usual.
    if (target.origin !== outside.origin) return fetch(url, { method, headers, body: body as string | undefined, signal, redirect: 'manual' });
    const text = body === undefined || body === null ? undefined : String(body);
    const sent: Record<string, string> = {
      ...headers,
      host: outside.host,
      'x-forwarded-host': outside.host,
      'x-forwarded-proto': outside.protocol.slice(0, -1),
      ...(text === undefined ? {} : { 'content-length': String(Buffer.byteLength(text)) }),
    };
    return new Promise<Response>((resolve, reject) => {
      const req = client.request(
        { protocol: inside.protocol, hostname: inside.hostname, port: inside.port, path: `${target.pathname}${target.search}`, method, headers: sent, agent, signal },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const answer = new Headers();
            for (const [name, value] of Object.entries(res.headers)) for (const v of [value ?? []].flat()) answer.append(name, v);
            const status = res.statusCode ?? 502;
            resolve(new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), { status, headers: answer }));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  };
}
