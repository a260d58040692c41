// Admin console: users (search, create, edit, status, lock, password, groups), their tokens and passkeys.
import type Router from '@koa/router';
import type { Services } from '../../services.js';
import { PasskeyActions } from '../actions/passkey.actions.js';
import { TokenActions } from '../actions/token.actions.js';
import { UserActions } from '../actions/user.actions.js';
import type { AdminContext } from '../actions/admin-context.js';
import { field, fields } from '../../http/form-body.js';
import type { ConsolePages } from './console-pages.js';
import { roles } from '../../users/user.schema.js';
import { adminPasskeyPages } from './passkeys.pages.js';
import { RecoveryCodeActions } from '../actions/recovery-code.actions.js';
import { adminRecoveryCodePages } from './recovery-codes.pages.js';
import { ConsoleConfirmations, type TokenAction } from './confirmations.js';

export function userPages(router: Router, s: Services, page: ConsolePages): void {
  const users = new UserActions(s);
  const tokens = new TokenActions(s);
  const passkeys = new PasskeyActions(s);
  const recoveryCodes = new RecoveryCodeActions(s);
  const admin = (ctx: { state: Record<string, unknown> }) => ctx.state.admin as AdminContext;
  const back = (id: string) => `/admin/users/${encodeURIComponent(id)}`;
  const ask = new ConsoleConfirmations(s, page);

  router.get('/users', async (ctx) => {
    const q = typeof ctx.query.q === 'string' ? ctx.query.q.slice(0, 100) : '';
    // Whole pages only, and not past what a database offset can hold.
    const pageNo = Math.min(1_000_000, Math.max(1, Math.floor(Number(ctx.query.page)) || 1));
    const result = await users.search(admin(ctx), q, pageNo);
    page.render(ctx, 'admin/users.njk', { ...result, q, pages: Math.max(1, Math.ceil(result.total / 25)) });
  });

  router.get('/users/new', (ctx) => page.render(ctx, 'admin/user-new.njk', { roles }));

  router.post('/users', async (ctx) => {
    const created = await users.create(admin(ctx), {
      username: field(ctx, 'username'),
      email: field(ctx, 'email'),
      mobile: field(ctx, 'mobile') || undefined,
      name: field(ctx, 'name'),
      role: (field(ctx, 'role') || 'user') as 'user',
      password: field(ctx, 'password') || undefined,
    });
    // Shown once, on this page only.
    page.render(ctx, 'admin/user-created.njk', created);
  });

  router.get('/users/:id', async (ctx) => {
    const user = await users.get(admin(ctx), ctx.params.id!);
    const sessions = await users.sessions(admin(ctx), user.id);
    const keys = await passkeys.list(admin(ctx), user.id);
    page.render(ctx, 'admin/user.njk', { user, tokens: await tokens.list(admin(ctx), user.id), passkeys: keys, recoveryCodes: await recoveryCodes.status(admin(ctx), user.id), sessions, groups: await s.groups.list(), roles });
  });

  router.post('/users/:id', (ctx) =>
    page.act(ctx, back(ctx.params.id!), 'admin.saved', () =>
      users.update(admin(ctx), ctx.params.id!, { email: field(ctx, 'email'), mobile: field(ctx, 'mobile') || null, name: field(ctx, 'name'), role: field(ctx, 'role') }),
    ),
  );

  const simple = {
    disable: ['admin.done', (ctx: AdminCtx) => users.setStatus(admin(ctx), ctx.params.id!, 'disabled')],
    enable: ['admin.done', (ctx: AdminCtx) => users.setStatus(admin(ctx), ctx.params.id!, 'active')],
    lock: ['admin.locked', (ctx: AdminCtx) => users.lock(admin(ctx), ctx.params.id!)],
    unlock: ['admin.unlocked', (ctx: AdminCtx) => users.unlock(admin(ctx), ctx.params.id!)],
    'sign-out': ['admin.signed_out', (ctx: AdminCtx) => users.signOut(admin(ctx), ctx.params.id!)],
    password: ['admin.password_set', (ctx: AdminCtx) => users.setPassword(admin(ctx), ctx.params.id!, field(ctx, 'password'))],
    'reset-link': ['admin.reset_link_sent', (ctx: AdminCtx) => users.sendResetLink(admin(ctx), ctx.params.id!)],
    groups: ['admin.saved', (ctx: AdminCtx) => users.setGroups(admin(ctx), ctx.params.id!, fields(ctx, 'groups'))],
  } as const;
  for (const [name, [success, run]] of Object.entries(simple)) {
    router.post(`/users/:id/${name}`, async (ctx) => {
      if (name === 'sign-out' && !(await ask.user(ctx, 'sign-out'))) return;
      await page.act(ctx, back(ctx.params.id!), success, () => run(ctx));
    });
  }
  router.post('/users/:id/delete', async (ctx) => {
    if (!(await ask.user(ctx, 'delete'))) return;
    await page.act(ctx, '/admin/users', 'admin.user_deleted', () => users.delete(admin(ctx), ctx.params.id!));
  });

  router.post('/users/:id/tokens', (ctx) =>
    page.act(ctx, back(ctx.params.id!), 'admin.token_assigned', () => tokens.assign(admin(ctx), ctx.params.id!, field(ctx, 'name') || undefined)),
  );
  const tokenActions = {
    reactivate: ['admin.token_reactivated', (ctx: AdminCtx) => tokens.reactivate(admin(ctx), ctx.params.id!, ctx.params.tokenId!)],
    complete: ['admin.token_completed', (ctx: AdminCtx) => tokens.complete(admin(ctx), ctx.params.id!, ctx.params.tokenId!, field(ctx, 'registrationCode'))],
    reset: ['admin.token_reset', (ctx: AdminCtx) => tokens.reset(admin(ctx), ctx.params.id!, ctx.params.tokenId!, field(ctx, 'first'), field(ctx, 'second'))],
    disable: ['admin.done', (ctx: AdminCtx) => tokens.disable(admin(ctx), ctx.params.id!, ctx.params.tokenId!, field(ctx, 'allowLast') === 'yes')],
    enable: ['admin.done', (ctx: AdminCtx) => tokens.enable(admin(ctx), ctx.params.id!, ctx.params.tokenId!)],
    delete: ['admin.token_deleted', (ctx: AdminCtx) => tokens.delete(admin(ctx), ctx.params.id!, ctx.params.tokenId!, field(ctx, 'allowLast') === 'yes')],
  } as const;
  for (const [name, [success, run]] of Object.entries(tokenActions)) {
    router.post(`/users/:id/tokens/:tokenId/${name}`, async (ctx) => {
      if ((name === 'reactivate' || name === 'delete') && !(await ask.token(ctx, name as TokenAction))) return;
      await page.act(ctx, back(ctx.params.id!), success, () => run(ctx));
    });
  }
  adminPasskeyPages(router, s, page);
  adminRecoveryCodePages(router, s, page);
}

type AdminCtx = Parameters<Parameters<Router['post']>[1]>[0] & { params: Record<string, string | undefined> };
