// Admin console: settings, applications with their rules, groups, and the audit log.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AuditFilter } from '../../audit/audit.service.js';
import type { Level } from '../../authenticators/assurance.js';
import type { Services } from '../../services.js';
import type { AdminContext } from '../actions/admin-context.js';
import { PolicyActions } from '../actions/policy.actions.js';
import { field, fields } from '../../http/form-body.js';
import type { PageResponder } from '../../http/page-responder.js';
import { CLIENT_GRANTS, type ClientGrant, type NewClient } from '../../clients/client.schema.js';
import { AppError } from '../../errors/app-error.js';

/** Form field names avoid dots, which the body parser would read as nesting. */
const formName = (key: string) => key.replace(/\./g, '__');
const lines = (text: string) => text.split(/\s+/).map((l) => l.trim()).filter(Boolean);

/** Form values arrive as text; the settings schema wants numbers and booleans (anything else it refuses). */
function typed(value: string, current: unknown): unknown {
  if (typeof current === 'number') return value.trim() === '' ? NaN : Number(value);
  if (typeof current === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

export function policyPages(router: Router, s: Services, page: PageResponder): void {
  const policy = new PolicyActions(s);
  const admin = (ctx: Context) => ctx.state.admin as AdminContext;

  router.get('/settings', (ctx) => page.render(ctx, 'admin/settings.njk', { settings: policy.settings(admin(ctx)).map((s) => ({ ...s, field: formName(s.key) })) }));
  router.post('/settings', (ctx) =>
    page.act(ctx, '/admin/settings', 'settings.saved', () => {
      const current = policy.settings(admin(ctx));
      const sent = (key: string) => field(ctx, formName(key));
      const patch = Object.fromEntries(current.filter((c) => sent(c.key) !== '' && sent(c.key) !== String(c.value)).map((c) => [c.key, typed(sent(c.key), c.value)]));
      return policy.updateSettings(admin(ctx), patch);
    }),
  );

  router.get('/clients', async (ctx) => page.render(ctx, 'admin/clients.njk', { clients: await policy.clients(admin(ctx)), groups: await s.groups.list() }));
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
  router.post('/clients/:id/delete', (ctx) => page.act(ctx, '/admin/clients', 'admin.done', () => policy.deleteClient(admin(ctx), ctx.params.id!)));

  router.get('/groups', async (ctx) => page.render(ctx, 'admin/groups.njk', { groups: await policy.groups(admin(ctx)) }));
  router.post('/groups', (ctx) => page.act(ctx, '/admin/groups', 'admin.saved', () => policy.createGroup(admin(ctx), field(ctx, 'name'), field(ctx, 'description'))));
  router.post('/groups/:id/delete', (ctx) => page.act(ctx, '/admin/groups', 'admin.done', () => policy.deleteGroup(admin(ctx), ctx.params.id!)));

  router.get('/audit', async (ctx) => {
    const filter = auditFilter(ctx);
    const result = await policy.audit(admin(ctx), { ...filter, limit: 100 });
    page.render(ctx, 'admin/audit.njk', { ...result, filter: ctx.query, exportQuery: new URLSearchParams(ctx.query as Record<string, string>).toString() });
  });
  router.get('/audit/export', async (ctx) => {
    const iterator = policy.auditExport(admin(ctx), auditFilter(ctx));
    ctx.type = 'application/x-ndjson';
    ctx.set('Content-Disposition', 'attachment; filename="audit.jsonl"');
    let body = '';
    for await (const line of iterator) body += line;
    ctx.body = body;
  });
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

function auditFilter(ctx: Context): AuditFilter {
  const q = ctx.query as Record<string, string | undefined>;
  const date = (v: string | undefined, end = false) => {
    if (!v) return undefined;
    const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T${end ? '23:59:59.999' : '00:00:00'}Z` : v);
    return Number.isNaN(t) ? undefined : t;
  };
  return { subject: q.subject || undefined, type: q.type || undefined, from: date(q.from), to: date(q.to, true) };
}
