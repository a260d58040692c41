// Counts what oidc-provider does on its own endpoints: grants at /token, answers at /auth, tokens issued.
import type Provider from 'oidc-provider';
import type { IdpMetrics } from './idp-metrics.js';

/** grant_type is the caller's input: anything but the grants we know is "other". */
const GRANT_TYPES = new Set([
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:openid:params:grant-type:ciba',
]);

/** Models whose `saved` (opaque) or `issued` (structured) event means a token or code went out. */
const ISSUED = ['access_token', 'client_credentials', 'refresh_token', 'authorization_code'] as const;

interface OidcCtx {
  oidc?: { params?: Record<string, unknown> };
}

const grantType = (ctx: OidcCtx): string => {
  const value = ctx.oidc?.params?.grant_type;
  return typeof value === 'string' && GRANT_TYPES.has(value) ? value : 'other';
};

const errorCode = (err: unknown): string => {
  const code = (err as { error?: unknown } | undefined)?.error;
  return typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? code : 'error';
};

export function observeProvider(provider: Provider, m: IdpMetrics): void {
  const on = provider.on.bind(provider) as (event: string, listener: (...args: unknown[]) => void) => Provider;
  on('grant.success', (ctx) => m.grants.inc({ grant_type: grantType(ctx as OidcCtx), outcome: 'success' }));
  on('grant.error', (ctx, err) => m.grants.inc({ grant_type: grantType(ctx as OidcCtx), outcome: errorCode(err) }));
  on('authorization.success', () => m.authorizations.inc({ outcome: 'success' }));
  on('authorization.error', (_ctx, err) => m.authorizations.inc({ outcome: errorCode(err) }));
  for (const kind of ISSUED) {
    on(`${kind}.saved`, () => m.tokensIssued.inc({ kind }));
    on(`${kind}.issued`, () => m.tokensIssued.inc({ kind }));
  }
}
