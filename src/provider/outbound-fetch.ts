// The requests oidc-provider makes to applications (back-channel logout tokens, clients' jwks_uri):
// public addresses always, private and special-use ones (RFC 6890: loopback, RFC 1918, link-local,
// unique local…) only when the operator names the host or network (OUTBOUND_ALLOWED_HOSTS). The
// address is checked where the connection is made (the resolver's answer, not an earlier lookup),
// so a name that resolves differently a moment later cannot reach an address that was not allowed.
//
// oidc-provider guards these requests itself with an undici dispatcher, which refuses every
// special-use address and cannot be told otherwise; this hook replaces it. A request that fails
// on the way (connection, timeout, 5xx) is tried once more after a short pause.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** A request the policy refuses: never retried, and its reason is what the audit says. */
export class OutboundRefused extends Error {}

const SPECIAL_USE_V4 = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24',
  '192.31.196.0/24', '192.52.193.0/24', '192.88.99.0/24', '192.168.0.0/16', '192.175.48.0/24', '198.18.0.0/15', '198.51.100.0/24',
  '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4',
];
const SPECIAL_USE_V6 = ['::/128', '::1/128', '64:ff9b::/96', '64:ff9b:1::/48', '100::/64', '2001::/23', '2001:db8::/32', '2002::/16', 'fc00::/7', 'fe80::/10', 'ff00::/8'];

function blockList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? ('ipv6' as const) : ('ipv4' as const);
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

const specialUse = blockList([...SPECIAL_USE_V4, ...SPECIAL_USE_V6]);

export interface AddressPolicy {
  /** Why `address` (reached for `host`) may not be called, or undefined when it may. */
  refusal(host: string, address: string): string | undefined;
}

/** `allowed`: host names, addresses and CIDR networks (config.outbound.allowedHosts). */
export function addressPolicy(allowed: string[]): AddressPolicy {
  const names = new Set(allowed.filter((h) => isIP(h.split('/')[0]!) === 0));
  const networks = blockList(allowed.filter((h) => isIP(h.split('/')[0]!) !== 0));
  return {
    refusal(host, address) {
      const type = isIP(address) === 6 ? ('ipv6' as const) : ('ipv4' as const);
      // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address.
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
      const [plain, plainType] = mapped ? [mapped, 'ipv4' as const] : [address, type];
      if (!specialUse.check(plain, plainType)) return undefined;
      if (names.has(host.toLowerCase()) || networks.check(plain, plainType)) return undefined;
      return `${host} is at ${plain}, a private or special-use address not in OUTBOUND_ALLOWED_HOSTS`;
    },
  };
}

type FetchInit = RequestInit & { dispatcher?: unknown };

const ATTEMPT_TIMEOUT_MS = 2500;
const RETRY_PAUSE_MS = 300;
/** What is read of an answer (a JWKS, a back-channel reply). */
const MAX_RESPONSE_BYTES = 256 * 1024;

/** A `fetch` for oidc-provider's `fetch` option. */
export function outboundFetch(policy: AddressPolicy): (url: string | URL, init?: FetchInit) => Promise<Response> {
  return async (url, init = {}) => {
    const target = new URL(url);
    let last: unknown;
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const response = await once(policy, target, init);
        if (response.status < 500 || attempt === 2) return response;
      } catch (err) {
        if (err instanceof OutboundRefused || attempt === 2) throw err;
        last = err;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
    throw last;
  };
}

function once(policy: AddressPolicy, target: URL, init: FetchInit): Promise<Response> {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.reject(new OutboundRefused(`${target.protocol} is not http or https`));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // A literal address is never looked up: it is judged here.
  if (isIP(host)) {
    const refusal = policy.refusal(host, host);
    if (refusal) return Promise.reject(new OutboundRefused(refusal));
  }
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const usable = addresses.filter((a) => !policy.refusal(hostname, a.address));
      if (!usable.length) return callback(new OutboundRefused(policy.refusal(hostname, addresses[0]!.address) ?? `${hostname} has no address`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => (headers[key] = value));
  const body = init.body === undefined || init.body === null ? undefined : String(init.body);
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    // A deadline for the whole exchange (a server that answers a byte at a time included).
    const signal = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
    const req = send(target, { method: init.method ?? 'GET', headers, lookup, signal, agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('response too large'));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        const responseHeaders = new Headers();
        for (const [key, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        const status = res.statusCode ?? 502;
        const noBody = status === 204 || status === 304 || (status >= 100 && status < 200);
        resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
      });
      res.on('error', reject);
    });
    req.on('error', (err) => {
      if (err instanceof OutboundRefused || (err as { cause?: unknown }).cause instanceof OutboundRefused) return reject(asRefusal(err));
      reject(signal.aborted ? new Error(`no answer from ${target.host} within ${ATTEMPT_TIMEOUT_MS} ms`) : err);
    });
    req.end(body);
  });
}

function asRefusal(err: Error): OutboundRefused {
  return err instanceof OutboundRefused ? err : ((err as { cause?: unknown }).cause as OutboundRefused);
}
