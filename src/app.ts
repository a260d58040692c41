// Assembles the server: database, services, oidc-provider and our routes on the provider's Koa app.
import { createSecretKey } from 'node:crypto';
import type { default as Provider, KoaContextWithOIDC } from 'oidc-provider';
import pino, { type Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from './config/config.js';
import { devRoutes } from './demo/dev.routes.js';
import { demoRoutes } from './demo/demo.routes.js';
import { csrfProtection } from './http/csrf.js';
import { formBody } from './http/form-body.js';
import { errorHandler, noteServerError } from './http/error-handler.js';
import { healthRoutes } from './http/health.routes.js';
import { securityHeaders } from './http/security-headers.js';
import { staticRoutes } from './http/static.routes.js';
import { createViews } from './http/views.js';
import { CONSOLE_CLIENT_ID } from './console/console-client.js';
import { adminApiRoutes } from './admin/api/admin-api.routes.js';
import { openApiRoutes } from './admin/api/openapi.routes.js';
import { adminRoutes } from './admin/console/admin.routes.js';
import { interactionRoutes } from './interactions/interaction.routes.js';
import { createLoginEngine } from './interactions/login-flow.js';
import { installMetrics } from './metrics/install-metrics.js';
import { openDatabase } from './persistence/data-source.js';
import { portalRoutes } from './portal/portal.routes.js';
import { withStartupLock } from './persistence/startup-lock.js';
import { createAdapter, removeExpiredPayloads } from './provider/adapter.js';
import { auditBackchannelEvents, backchannelNotifier } from './provider/backchannel-notifier.js';
import { postAsGet } from './http/post-as-get.js';
import { holdWrites } from './provider/held-writes.js';
import { auditReusedGrants, refuseReusedGrant, ReusedGrant } from './provider/reused-grant.js';
import { ownRoutes } from './http/own-routes.js';
import { createProvider } from './provider/provider.js';
import { CookieSigner } from './security/cookie-signer.js';
import { randomToken } from './security/random.js';
import { activationRoutes } from './tokens/activation.routes.js';
import { passwordResetRoutes } from './users/password-reset.routes.js';
import { type ServiceOverrides, type Services, createServices } from './services.js';
import { SETTINGS_REFRESH_MS } from './settings/settings.service.js';

export interface IdpApp {
  provider: Provider;
  services: Services;
  ds: DataSource;
  log: Logger;
  callback(): ReturnType<Provider['callback']>;
  close(): Promise<void>;
}

export { CONSOLE_CLIENT_ID };

export async function createApp(config: Config, overrides: ServiceOverrides & { log?: Logger } = {}): Promise<IdpApp> {
  const log = overrides.log ?? pino({ level: config.logLevel });
  const ds = await openDatabase(config.database);
  // The live configuration: the product name, logo and default language follow the settings.
  const views = createViews(undefined, config);
  const services = await createServices(config, ds, views, overrides);
  const cookieKeys = new CookieSigner(JSON.parse(await services.secrets.getOrCreate('cookie-keys', () => JSON.stringify([randomToken(32)]))) as string[]);
  const adapter = createAdapter(ds, services.clock, (id) => services.clients.metadataFor(id), await services.secrets.bytes('payload-id-key'), (model, err) =>
    log.error({ err, model }, 'a token row was not stored: the token, if it was answered, will be refused'),
  );
  services.clients.waitForIssued(() => adapter.settled());
  const provider = createProvider({
    config,
    adapter,
    users: services.users,
    views,
    ruleLevel: async (clientId) => (await services.clientRules.get(clientId)).minLevel,
    jwks: { keys: await withStartupLock(ds, config.database, () => services.keys.jwks()) },
    cookieKeys,
    resources: services.resources,
  });
  provider.on('server_error', (ctx, err) => {
    noteServerError(ctx, err);
    log.error({ err }, 'oidc-provider server error');
  });
  services.sessions.onEnded(backchannelNotifier(provider, services.audit));
  auditBackchannelEvents(provider, services.audit, log);
  auditReusedGrants(provider, services.audit, log);
  const metrics = installMetrics(config, provider, services.audit, ds);

  const csrf = csrfProtection(await services.secrets.bytes('csrf-key'), config.issuer.startsWith('https://'));
  const forms = [formBody(), csrf];
  const engine = createLoginEngine(services);

  provider.use(metrics.timer);
  provider.use(securityHeaders(config.issuer.startsWith('https://')));
  provider.use(errorHandler(views, log));
  // A token response leaves once its rows are committed, in one commit rather than one per row.
  provider.use(
    holdWrites(['/token'], async (ctx, err) => {
      if (err instanceof ReusedGrant) return refuseReusedGrant(ctx as KoaContextWithOIDC, services.audit);
      // As oidc-provider answers a write of its own that fails (on PostgreSQL nothing is held).
      provider.emit('server_error', ctx, err);
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
    }),
  );
  // POST at /auth and /session/end, answered as a GET so that SameSite=Lax cookies come along.
  provider.use(postAsGet(['/auth', '/session/end'], createSecretKey(await services.secrets.bytes('post-as-get-key')), services.clock));
  const adminApi = adminApiRoutes(provider, services);
  const routers = [
    healthRoutes(ds),
    metrics.router,
    staticRoutes(),
    interactionRoutes(provider, engine, views, services.audit, forms),
    activationRoutes(services.activations, views),
    openApiRoutes(adminApi, config.issuer),
    adminApi,
    adminRoutes(services, views, forms),
    portalRoutes(services, views, forms),
    passwordResetRoutes(services, views, forms),
    ...(config.demo ? [demoRoutes(config, services, views, forms), devRoutes(services, views)] : []),
  ];
  provider.use(ownRoutes(routers));

  // The provider's own pages (My Profile, admin console) sign in through it as this client.
  await services.clients.ensureBuiltIn(
    CONSOLE_CLIENT_ID,
    'Identity Provider console',
    [`${config.issuer}/account/callback`, `${config.issuer}/admin/callback`],
    [`${config.issuer}/account/signed-out`, `${config.issuer}/admin/signed-out`],
  );
  await removeExpiredPayloads(ds, services.clock);
  const sweep = async () => {
    await removeExpiredPayloads(ds, services.clock);
    await services.audit.purge(config.audit.retentionDays);
  };
  const sweeper = setInterval(() => void sweep().catch((err) => log.warn({ err }, 'periodic sweep failed')), 60 * 1000);
  sweeper.unref();
  // Settings changed by another process reach this one here (one small read; as soon as cached rules).
  const refresher = setInterval(() => void services.settings.load().catch((err) => log.warn({ err }, 'settings refresh failed')), SETTINGS_REFRESH_MS);
  refresher.unref();

  return {
    provider,
    services,
    ds,
    log,
    callback: () => provider.callback(),
    async close() {
      clearInterval(sweeper);
      clearInterval(refresher);
      // Tokens answered before their commit (adapter.ts) are written before the database closes.
      await adapter.settled();
      await services.close();
    },
  };
}
