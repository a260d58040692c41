// oidc-provider configured for this identity provider: federation is its job, not ours.
import Provider, { type Configuration, type KoaContextWithOIDC, errors } from 'oidc-provider';
import type nunjucks from 'nunjucks';
import { localeLocals, requestLocale, useSite } from '../http/views.js';
import type { Config } from '../config/config.js';
import type { UserService } from '../users/user.service.js';
import { LEVELS } from '../authenticators/assurance.js';
import { accountFinder } from './account.js';
import { levelPolicy, type RuleLevel } from './level-policy.js';
import type { AdapterClass } from './adapter.js';
import type { CookieSigner } from '../security/cookie-signer.js';
import type { ResourceServerService } from '../resources/resource-server.service.js';
import { RESOURCE_SERVER_MARKER } from '../clients/client.service.js';
import { addressPolicy, outboundFetch } from './outbound-fetch.js';
import { deviceFlow } from './device-flow.js';
import { extraTokenClaims, introspection, resourceIndicators, revocation } from './resource-indicators.js';
import { renderProviderError } from './render-error.js';

export interface ProviderDeps {
  /** The application's minimum assurance level (its rule). */
  ruleLevel: RuleLevel;
  config: Config;
  adapter: AdapterClass;
  users: UserService;
  views: nunjucks.Environment;
  jwks: { keys: NonNullable<Configuration['jwks']>['keys'] };
  cookieKeys: CookieSigner;
  resources: ResourceServerService;
}

export const ADMIN_SCOPE = 'idp:admin';

/** The sign-out pages, in the language of the request (its ui_locales, then the browser's, then the default). */
function render(views: nunjucks.Environment, ctx: KoaContextWithOIDC, template: string, data: object): void {
  const locale = requestLocale(views, { uiLocales: ctx.oidc.params?.ui_locales, acceptLanguage: ctx.get('accept-language') });
  ctx.type = 'html';
  ctx.body = views.render(template, { ...data, ...localeLocals(locale) });
}

export function createProvider({ config, adapter, users, views, jwks, cookieKeys, ruleLevel, resources }: ProviderDeps): Provider {
  // The pages show the configured product name, logo and default language (settings may change them).
  useSite(views, config);
  const secureCookies = config.issuer.startsWith('https://');
  const configuration: Configuration = {
    adapter,
    findAccount: accountFinder(users),
    jwks,
    cookies: {
      keys: cookieKeys,
      long: { signed: true, secure: secureCookies, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, secure: secureCookies, httpOnly: true, sameSite: 'lax' },
    },
    claims: {
      // acr/amr in every ID token: applications must be able to see which factors were used.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      sid: null,
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      phone: ['phone_number', 'phone_number_verified'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'phone', ADMIN_SCOPE],
    conformIdTokenClaims: false,
    // Discovery advertises what a registered client can use (client.schema.ts): the code flow only,
    // a secret or a private key JWT at the token endpoint (public clients: none), RS256 or ES256.
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'private_key_jwt', 'none'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      idTokenSigningAlgValues: ['RS256', 'ES256'],
    },
    // OIDC Core 3.1.2.1: redirect_uri is REQUIRED, even for a client with a single registered URI.
    allowOmittingSingleRegisteredRedirectUri: false,
    // Back-channel logout and jwks_uri reach private networks that the operator allows (outbound-fetch.ts).
    fetch: outboundFetch(addressPolicy(config.outbound.allowedHosts)) as unknown as Configuration['fetch'],
    fetchResponseBodyLimits: { jwks_uri: 64 * 1024, sector_identifier_uri: 64 * 1024 },
    extraTokenClaims: extraTokenClaims as unknown as Configuration['extraTokenClaims'],
    // Published weakest first; every ID token's acr is the level actually reached (assurance.ts).
    acrValues: [...LEVELS],
    features: {
      devInteractions: { enabled: false },
      revocation,
      introspection,
      resourceIndicators: resourceIndicators(resources),
      deviceFlow: deviceFlow(views),
      // Each client may require them (require_pushed_authorization_requests, dpop_bound_access_tokens).
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false, allowUnregisteredRedirectUris: false },
      dPoP: { enabled: true },
      // Applications may ask for a level as an essential acr claim (OIDC Core 5.5.1.1).
      claimsParameter: { enabled: true },
      // Service accounts reach the admin API with client credentials and the admin scope.
      clientCredentials: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          render(views, ctx, 'logout.njk', { form, client: ctx.oidc.client?.clientName });
        },
        async postLogoutSuccessSource(ctx) {
          render(views, ctx, 'logged-out.njk', { client: ctx.oidc.client?.clientName });
        },
      },
    },
    extraClientMetadata: {
      properties: ['first_party', 'admin_role', RESOURCE_SERVER_MARKER],
      validator(_ctx, key, value) {
        if (key === 'first_party' && value !== undefined && typeof value !== 'boolean') {
          throw new errors.InvalidClientMetadata('first_party must be a boolean');
        }
        if (key === 'admin_role' && value !== undefined && !['helpdesk', 'admin', 'superadmin'].includes(String(value))) {
          throw new errors.InvalidClientMetadata('admin_role must be helpdesk, admin or superadmin');
        }
      },
    },
    // First-party applications are trusted with what they ask for: no consent page.
    async loadExistingGrant(ctx) {
      const client = ctx.oidc.client!;
      const session = ctx.oidc.session;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session?.grantIdFor(client.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (client['first_party'] !== true || !session?.accountId) return existing;
      const grant = existing ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      const requested = String(ctx.oidc.params?.scope ?? 'openid');
      grant.addOIDCScope(requested);
      // The API scopes asked for with a resource indicator, as far as that resource server defines them.
      for (const [indicator, server] of Object.entries(ctx.oidc.resourceServers ?? {})) {
        const scopes = requested.split(' ').filter((s) => server.scopes.has(s));
        if (scopes.length) grant.addResourceScope(indicator, scopes.join(' '));
      }
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: levelPolicy(ruleLevel) },
    rotateRefreshToken: true,
    ttl: {
      // Read at use, so an administrator's change applies to new sessions at once.
      Session: () => config.ttl.session,
      Interaction: config.ttl.interaction,
      Grant: 14 * 24 * 3600,
      // A resource server's own lifetime when the token is for one (resource-indicators.ts).
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      // Admin API tokens: short, since a rotated service-account secret does not revoke them.
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
      DeviceCode: 600,
    },
    async renderError(ctx, out) {
      renderProviderError(views, ctx, out);
    },
  };
  const provider = new Provider(config.issuer, configuration);
  provider.proxy = config.trustProxy;
  return provider;
}
