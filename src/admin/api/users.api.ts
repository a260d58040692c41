// Admin API: users — search, create, edit, status, lock, password, reset link, groups. Rules live in UserActions.
import type Router from '@koa/router';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { newUserSchema } from '../../users/user.schema.js';
import { UserActions } from '../actions/user.actions.js';
import { adminOf, input, noContent } from './api-input.js';

const searchQuery = z.object({
  q: z.string().max(100).default(''),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
});
// The service checks the fields in depth; without a password one is generated and returned once.
const newUser = newUserSchema.extend({ password: z.string().max(1024).optional() }).strict();
const patch = z.record(z.string(), z.unknown());
const password = z.object({ password: z.string().min(1).max(1024) }).strict();
const groups = z.object({ groupIds: z.array(z.string().min(1).max(100)).max(1000) }).strict();

export function usersApi(router: Router, s: Services): void {
  const users = new UserActions(s);

  router.get('/users', async (ctx) => {
    const { q, page } = input(searchQuery, ctx.query);
    ctx.body = await users.search(adminOf(ctx), q, page);
  });

  router.post('/users', async (ctx) => {
    const created = await users.create(adminOf(ctx), input(newUser, ctx.request.body));
    ctx.status = 201;
    ctx.body = created;
  });

  router.get('/users/:id', async (ctx) => {
    ctx.body = await users.get(adminOf(ctx), ctx.params.id!);
  });

  router.get('/users/:id/sessions', async (ctx) => {
    ctx.body = { sessions: await users.sessions(adminOf(ctx), ctx.params.id!) };
  });

  router.patch('/users/:id', async (ctx) => {
    ctx.body = await users.update(adminOf(ctx), ctx.params.id!, input(patch, ctx.request.body));
  });

  router.delete('/users/:id', async (ctx) => {
    await users.delete(adminOf(ctx), ctx.params.id!);
    noContent(ctx);
  });

  const simple = {
    disable: (ctx: IdCtx) => users.setStatus(adminOf(ctx), ctx.params.id!, 'disabled'),
    enable: (ctx: IdCtx) => users.setStatus(adminOf(ctx), ctx.params.id!, 'active'),
    lock: (ctx: IdCtx) => users.lock(adminOf(ctx), ctx.params.id!),
    unlock: (ctx: IdCtx) => users.unlock(adminOf(ctx), ctx.params.id!),
    'sign-out': (ctx: IdCtx) => users.signOut(adminOf(ctx), ctx.params.id!),
  } as const;
  for (const [name, run] of Object.entries(simple)) {
    router.post(`/users/:id/${name}`, async (ctx) => {
      await run(ctx);
      noContent(ctx);
    });
  }

  router.put('/users/:id/password', async (ctx) => {
    await users.setPassword(adminOf(ctx), ctx.params.id!, input(password, ctx.request.body).password);
    noContent(ctx);
  });

  router.post('/users/:id/reset-link', async (ctx) => {
    ctx.status = 202;
    ctx.body = await users.sendResetLink(adminOf(ctx), ctx.params.id!);
  });

  router.put('/users/:id/groups', async (ctx) => {
    await users.setGroups(adminOf(ctx), ctx.params.id!, input(groups, ctx.request.body).groupIds);
    noContent(ctx);
  });
}

type IdCtx = Parameters<Parameters<Router['post']>[1]>[0] & { params: Record<string, string | undefined> };
