// Admin console: settings, applications with their rules, groups, and the audit log.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Level } from '../../authenticators/assurance.js';
import type { Services } from '../../services.js';
import type { AdminContext } from '../actions/admin-context.js';
import { PolicyActions } from '../actions/policy.actions.js';
import { field, fields } from '../../http/form-body.js';
import type { ConsolePages } from './console-pages.js';
import { CLIENT_GRANTS, type ClientGrant, type NewClient } from '../../clients/client.schema.js';
import { AppError } from '../../errors/app-error.js';
import { CONSOLE_CLIENT_ID } from '../../console/console-client.js';
import { ConsoleConfirmations } from './confirmations.js';
import { settingRows, settingsPatch, UNITS } from './settings-form.js';
import { auditPage } from './audit.page.js';

const lines = (text: string) => text.split(/\s+/).map((l) => l.trim()).filter(Boolean);

export function policyPages(router: Router, s: Services, page: ConsolePages): void {
  const policy = new PolicyActions(s);
  const admin = (ctx: Context) => ctx.state.admin as AdminContext;
  const ask = new ConsoleConfirmations(s, page);

  router.get('/settings', (ctx) => page.render(ctx, 'admin/settings.njk', { settings: settingRows(policy.settings(admin(ctx)), page.texts(ctx)), units: UNITS }));
  router.post('/settings', (ctx) =>
    page.act(ctx, '/admin/settings', 'settings.saved', () => policy.updateSettings(admin(ctx), settingsPatch(policy.settings(admin(ctx)), (name) => field(ctx, name)))),
  );

  router.get('/clients', async (ctx) => page.render(ctx, 'admin/clients.njk', { clients: await policy.clients(admin(ctx)), groups: await s.groups.list(), consoleClientId: CONSOLE_CLIENT_ID }));
  router.post('/clients', async (ctx) => {
    const created = await policy.addClient(admin(ctx), {
      clientId: field(ctx, 'clientId'),
      name: field(ctx, 'name') || undefined,
      redirectUris: lines(field(ctx, 'redirectUris')),
      postLogoutRedirectUris: lines(field(ctx, 'postLogoutRedirectUris')),
      backchannelLogoutUri: field(ctx, 'backchannelLogoutUri') || undefined,
      public: field(ctx, 'type') === 'public',
      firstParty: field(ctx, 'firstParty') === 'yes',
      ...clientProtocolFields(ctx),
    });
    page.render(ctx, 'admin/client-secret.njk', created);
  });
  router.post('/clients/:id/secret', async (ctx) => {
    const clientSecret = await policy.rotateSecret(admin(ctx), ctx.params.id!);
    page.render(ctx, 'admin/client-secret.njk', { clientId: ctx.params.id, clientSecret, rotated: true });
  });
  router.post('/clients/:id/update', (ctx) =>
    page.act(ctx, '/admin/clients', 'admin.saved', () =>
      policy.updateClient(admin(ctx), ctx.params.id!, {
        redirectUris: lines(field(ctx, 'redirectUris')),
        postLogoutRedirectUris: lines(field(ctx, 'postLogoutRedirectUris')),
        ...(field(ctx, 'backchannelLogoutUri') ? { backchannelLogoutUri: field(ctx, 'backchannelLogoutUri') } : {}),
        requirePar: field(ctx, 'requirePar') === 'yes',
        requireDpop: field(ctx, 'requireDpop') === 'yes',
        idTokenSigningAlg: field(ctx, 'idTokenSigningAlg') === 'ES256' ? 'ES256' : 'RS256',
      }),
    ),
  );
  router.post('/clients/:id/rule', (ctx) =>
    page.act(ctx, '/admin/clients', 'admin.saved', () =>
      policy.setRule(admin(ctx), ctx.params.id!, { allowedGroups: fields(ctx, 'groups'), minLevel: field(ctx, 'minLevel') as Level }),
    ),
  );
  router.post('/clients/:id/delete', async (ctx) => {
    // The console's own application is refused at once: there is nothing to confirm.
    if (ctx.params.id !== CONSOLE_CLIENT_ID && !ask.application(ctx, ctx.params.id!)) return;
    await page.act(ctx, '/admin/clients', 'admin.done', () => policy.deleteClient(admin(ctx), ctx.params.id!));
  });

  router.get('/groups', async (ctx) => page.render(ctx, 'admin/groups.njk', { groups: await policy.groups(admin(ctx)) }));
  router.post('/groups', (ctx) => page.act(ctx, '/admin/groups', 'admin.saved', () => policy.createGroup(admin(ctx), field(ctx, 'name'), field(ctx, 'description'))));
  router.post('/groups/:id/delete', async (ctx) => {
    if (!(await ask.group(ctx, ctx.params.id!))) return;
    await page.act(ctx, '/admin/groups', 'admin.done', () => policy.deleteGroup(admin(ctx), ctx.params.id!));
  });

  auditPage(router, s, page);
}

/** A new application's grants, client authentication and protocol requirements, from the form. */
function clientProtocolFields(ctx: Context): Partial<NewClient> {
  const grantTypes = fields(ctx, 'grantTypes').filter((g): g is ClientGrant => (CLIENT_GRANTS as readonly string[]).includes(g));
  const keyAuth = field(ctx, 'authMethod') === 'private_key_jwt';
  const jwksText = field(ctx, 'jwks').trim();
  let jwks: NewClient['jwks'];
  if (keyAuth && jwksText) {
    try {
      jwks = JSON.parse(jwksText) as NewClient['jwks'];
    } catch {
      throw new AppError('client.invalid', { reason: 'jwks is not JSON' });
    }
  }
  return {
    ...(grantTypes.length ? { grantTypes } : {}),
    authMethod: keyAuth ? 'private_key_jwt' : 'client_secret_basic',
    ...(jwks ? { jwks } : {}),
    ...(keyAuth && field(ctx, 'jwksUri') ? { jwksUri: field(ctx, 'jwksUri') } : {}),
    requirePar: field(ctx, 'requirePar') === 'yes',
    requireDpop: field(ctx, 'requireDpop') === 'yes',
    idTokenSigningAlg: field(ctx, 'idTokenSigningAlg') === 'ES256' ? 'ES256' : 'RS256',
  };
}
