// oidc-provider configured for this identity provider: federation is its job, not ours.
import Provider, { type Configuration, type KoaContextWithOIDC, errors } from 'oidc-provider';
import type nunjucks from 'nunjucks';
import type { Config } from '../config/config.js';
import type { UserService } from '../users/user.service.js';
import { LEVELS } from '../authenticators/assurance.js';
import { accountFinder } from './account.js';
import { levelPolicy, type RuleLevel } from './level-policy.js';
import type { AdapterClass } from './adapter.js';
import type { CookieSigner } from '../security/cookie-signer.js';

export interface ProviderDeps {
  /** The application's minimum assurance level (its rule). */
  ruleLevel: RuleLevel;
  config: Config;
  adapter: AdapterClass;
  users: UserService;
  views: nunjucks.Environment;
  jwks: { keys: NonNullable<Configuration['jwks']>['keys'] };
  cookieKeys: CookieSigner;
}

export const ADMIN_SCOPE = 'idp:admin';

function render(views: nunjucks.Environment, ctx: KoaContextWithOIDC, template: string, data: object): void {
  ctx.type = 'html';
  ctx.body = views.render(template, data);
}

export function createProvider({ config, adapter, users, views, jwks, cookieKeys, ruleLevel }: ProviderDeps): Provider {
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
    // Published weakest first; every ID token's acr is the level actually reached (assurance.ts).
    acrValues: [...LEVELS],
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
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
      properties: ['first_party', 'admin_role'],
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
      grant.addOIDCScope(String(ctx.oidc.params?.scope ?? 'openid'));
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
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      // Admin API tokens: short, since a rotated service-account secret does not revoke them.
      ClientCredentials: 600,
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = views.render('error.njk', {
        title: 'This request cannot be completed',
        message: out.error_description ?? out.error,
        code: out.error,
      });
    },
  };
  const provider = new Provider(config.issuer, configuration);
  provider.proxy = config.trustProxy;
  return provider;
}
