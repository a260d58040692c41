// Admin console: resource servers (APIs) — identifier, scopes, token format and lifetime (in minutes or
// hours), and the credentials the API introspects opaque tokens with. Deleting one asks first.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AdminContext } from '../actions/admin-context.js';
import { ResourceActions } from '../actions/resource.actions.js';
import { field } from '../../http/form-body.js';
import type { ConsolePages } from './console-pages.js';
import { confirmed } from '../../http/confirmation.js';
import { resourceServerDeletion } from './confirmations.js';
import { LIFETIME_UNITS, lifetimeSeconds, shownLifetime } from './token-lifetime.js';

const words = (text: string) => text.split(/[\s,]+/).map((w) => w.trim()).filter(Boolean);
const format = (v: string) => (v === 'opaque' ? 'opaque' : 'jwt');
const alg = (v: string) => (v === 'ES256' ? 'ES256' : 'RS256');

export function resourcePages(router: Router, page: ConsolePages, resources: ResourceActions): void {
  const admin = (ctx: Context) => ctx.state.admin as AdminContext;
  const id = (ctx: Context) => ctx.params.identifier!;
  const lifetime = (ctx: Context) => lifetimeSeconds(field(ctx, 'accessTokenTtl'), field(ctx, 'accessTokenTtlUnit'));

  router.get('/resource-servers', async (ctx) => {
    const listed = (await resources.list(admin(ctx))).map((r) => ({ ...r, lifetime: shownLifetime(r.accessTokenTtl) }));
    page.render(ctx, 'admin/resources.njk', { resources: listed, units: LIFETIME_UNITS });
  });
  router.post('/resource-servers', async (ctx) => {
    ctx.state.formReturn = { flash: page.flash, to: '/admin/resource-servers' };
    const created = await resources.add(admin(ctx), {
      identifier: field(ctx, 'identifier'),
      name: field(ctx, 'name'),
      scopes: words(field(ctx, 'scopes')),
      tokenFormat: format(field(ctx, 'tokenFormat')),
      accessTokenTtl: field(ctx, 'accessTokenTtl') ? lifetime(ctx) : 3600,
      signingAlg: alg(field(ctx, 'signingAlg')),
    });
    page.render(ctx, 'admin/client-secret.njk', { clientId: created.clientId, clientSecret: created.clientSecret, resourceServer: created.identifier });
  });
  router.post('/resource-servers/:identifier/update', (ctx) =>
    page.act(ctx, '/admin/resource-servers', 'admin.saved', () =>
      resources.update(admin(ctx), id(ctx), {
        name: field(ctx, 'name'),
        scopes: words(field(ctx, 'scopes')),
        tokenFormat: format(field(ctx, 'tokenFormat')),
        accessTokenTtl: lifetime(ctx),
        signingAlg: alg(field(ctx, 'signingAlg')),
      }),
    ),
  );
  router.post('/resource-servers/:identifier/secret', async (ctx) => {
    const { clientId, clientSecret } = await resources.rotateSecret(admin(ctx), id(ctx));
    page.render(ctx, 'admin/client-secret.njk', { clientId, clientSecret, rotated: true, resourceServer: id(ctx) });
  });
  router.post('/resource-servers/:identifier/delete', async (ctx) => {
    if (field(ctx, 'confirm') !== 'yes' && !confirmed(ctx, page, resourceServerDeletion(await resources.get(admin(ctx), id(ctx))))) return;
    await page.act(ctx, '/admin/resource-servers', 'admin.done', () => resources.delete(admin(ctx), id(ctx)));
  });
}
