// oidc-provider's side of resource servers: resource indicators (RFC 8707) resolved from the
// registered resource servers, what JWT access tokens (RFC 9068) carry, and who may introspect
// (RFC 7662) or revoke (RFC 7009) a token.
import { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { RESOURCE_SERVER_MARKER } from '../clients/client.service.js';
import type { ResourceServerService } from '../resources/resource-server.service.js';

type Features = NonNullable<Configuration['features']>;
type ClientLike = { clientId: string; clientAuthMethod?: string; [key: string]: unknown };
type TokenLike = { kind: string; clientId?: string; aud?: string | string[]; accountId?: string };

/**
 * Any application may ask for a token for any registered resource server (the resource server
 * decides what a scope lets the caller do). Not the clients that are credentials themselves: a
 * resource server's own credentials and the admin API's service accounts get no API tokens.
 */
export function resourceIndicators(resources: ResourceServerService): Features['resourceIndicators'] {
  return {
    enabled: true,
    async getResourceServerInfo(_ctx, indicator, client) {
      const rs = await resources.find(indicator);
      const c = client as unknown as ClientLike;
      if (!rs || c[RESOURCE_SERVER_MARKER] !== undefined || c['admin_role'] !== undefined) throw new errors.InvalidTarget();
      return {
        scope: rs.scopes.join(' '),
        audience: rs.identifier,
        accessTokenTTL: rs.accessTokenTtl,
        accessTokenFormat: rs.tokenFormat,
        ...(rs.tokenFormat === 'jwt' ? { jwt: { sign: { alg: rs.signingAlg as 'RS256' | 'ES256' } } } : {}),
      };
    },
  };
}

/**
 * A resource server's credentials may introspect the access tokens issued for it, and nothing else
 * (no refresh token, no other audience's token, no application's own). Anything else reads as
 * `{ "active": false }`, which says nothing about the token.
 */
export const introspection = {
  enabled: true as const,
  async allowedPolicy(_ctx: KoaContextWithOIDC, client: unknown, token: unknown): Promise<boolean> {
    const identifier = (client as unknown as ClientLike)[RESOURCE_SERVER_MARKER];
    const t = token as unknown as TokenLike;
    if (typeof identifier !== 'string' || t.kind === 'RefreshToken') return false;
    const audiences = Array.isArray(t.aud) ? t.aud : t.aud ? [t.aud] : [];
    return audiences.includes(identifier);
  },
};

/**
 * Only the application a token was issued to may revoke it (RFC 7009 §2.1). A public client asking
 * about another's token is answered as if the token were unknown; a confidential one is told no.
 */
export const revocation: Features['revocation'] = {
  enabled: true,
  async allowedPolicy(_ctx, client, token) {
    const c = client as unknown as ClientLike;
    if ((token as unknown as TokenLike).clientId === c.clientId) return true;
    if (c.clientAuthMethod === 'none') return false;
    throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
  },
};

/**
 * RFC 9068 §2.2: an access token issued after a sign-in says which authentication it came from.
 * The grant being exchanged (code, refresh token, device code) holds the session's acr and auth_time.
 */
export async function extraTokenClaims(ctx: KoaContextWithOIDC, token: { kind: string; accountId?: string }): Promise<Record<string, unknown> | undefined> {
  if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
  const entities = ctx.oidc?.entities as Record<string, { acr?: string; authTime?: number } | undefined> | undefined;
  const source = entities?.AuthorizationCode ?? entities?.RefreshToken ?? entities?.DeviceCode;
  if (!source) return undefined;
  return { ...(source.acr ? { acr: source.acr } : {}), ...(source.authTime ? { auth_time: source.authTime } : {}) };
}
