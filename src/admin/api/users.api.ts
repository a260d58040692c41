// Admin API: users — search, create, edit, status, lock, password, reset link, groups. Rules live in UserActions.
import type Router from '@koa/router';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { newUserSchema } from '../../users/user.schema.js';
import { UserActions } from '../actions/user.actions.js';
import { adminOf, input, noContent } from './api-input.js';
import { routeDocs } from './openapi-doc.js';
import { createdUser, resetLink, sessionList, userDetail, userPage, userUpdate, userView } from './openapi-schemas.js';

const doc = routeDocs('Users');

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

  router.get('/users', doc({ id: 'searchUsers', summary: 'Find users by username or e-mail, 25 a page', query: searchQuery, responses: { 200: userPage } }), async (ctx) => {
    const { q, page } = input(searchQuery, ctx.query);
    ctx.body = await users.search(adminOf(ctx), q, page);
  });

  router.post('/users', doc({ id: 'createUser', summary: 'Create a user; without a password one is generated and returned once', body: newUser, responses: { 201: createdUser }, errors: [409] }), async (ctx) => {
    const created = await users.create(adminOf(ctx), input(newUser, ctx.request.body));
    ctx.status = 201;
    ctx.body = created;
  });

  router.get('/users/:id', doc({ id: 'getUser', summary: 'A user with their groups', responses: { 200: userDetail } }), async (ctx) => {
    ctx.body = await users.get(adminOf(ctx), ctx.params.id!);
  });

  router.get('/users/:id/sessions', doc({ id: 'listUserSessions', summary: 'Where the user is signed in', responses: { 200: sessionList } }), async (ctx) => {
    ctx.body = { sessions: await users.sessions(adminOf(ctx), ctx.params.id!) };
  });

  router.patch('/users/:id', doc({ id: 'updateUser', summary: 'Change e-mail, mobile, name or role', body: userUpdate, responses: { 200: userView }, errors: [409] }), async (ctx) => {
    ctx.body = await users.update(adminOf(ctx), ctx.params.id!, input(patch, ctx.request.body));
  });

  router.delete('/users/:id', doc({ id: 'deleteUser', summary: 'Delete a user and everything they hold', responses: { 204: null }, errors: [409] }), async (ctx) => {
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
  const simpleDocs: Record<keyof typeof simple, [string, string]> = {
    disable: ['disableUser', 'Disable the account: no sign-in until enabled'],
    enable: ['enableUser', 'Enable a disabled account'],
    lock: ['lockUser', 'Lock the account until an administrator unlocks it'],
    unlock: ['unlockUser', 'Unlock the account and clear its failure count'],
    'sign-out': ['signOutUser', 'End every session of the account'],
  };
  for (const [name, run] of Object.entries(simple)) {
    const [id, summary] = simpleDocs[name as keyof typeof simple];
    router.post(`/users/:id/${name}`, doc({ id, summary, responses: { 204: null }, errors: [409] }), async (ctx) => {
      await run(ctx);
      noContent(ctx);
    });
  }

  router.put('/users/:id/password', doc({ id: 'setUserPassword', summary: 'Set a temporary password the user replaces at the next sign-in', body: password, responses: { 204: null } }), async (ctx) => {
    await users.setPassword(adminOf(ctx), ctx.params.id!, input(password, ctx.request.body).password);
    noContent(ctx);
  });

  router.post('/users/:id/reset-link', doc({ id: 'sendPasswordResetLink', summary: 'E-mail the user a link to choose a new password', responses: { 202: resetLink }, errors: [409] }), async (ctx) => {
    ctx.status = 202;
    ctx.body = await users.sendResetLink(adminOf(ctx), ctx.params.id!);
  });

  router.put('/users/:id/groups', doc({ id: 'setUserGroups', summary: 'Set the groups the user belongs to', body: groups, responses: { 204: null } }), async (ctx) => {
    await users.setGroups(adminOf(ctx), ctx.params.id!, input(groups, ctx.request.body).groupIds);
    noContent(ctx);
  });
}

type IdCtx = Parameters<Parameters<Router['post']>[1]>[0] & { params: Record<string, string | undefined> };
