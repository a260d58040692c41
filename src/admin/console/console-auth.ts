// The admin console signs in through the provider itself (always with a second factor) and admits
// only staff roles; it sets the AdminContext every action needs.
import type { Context, Middleware } from 'koa';
import { AppError } from '../../errors/app-error.js';
import type { SelfSignIn } from '../../console/self-sign-in.js';
import type { UserService } from '../../users/user.service.js';
import type { LockoutService } from '../../security/lockout.service.js';
import { staffRoles } from '../permissions.js';
import type { AdminContext } from '../actions/admin-context.js';

export function consoleAuth(signIn: SelfSignIn, users: UserService, lockout: LockoutService): Middleware {
  return async (ctx: Context, next) => {
    if (ctx.path === '/admin/callback' || ctx.path === '/admin/signed-out') return next();
    const session = signIn.session(ctx);
    if (!session) {
      if (ctx.method !== 'GET') throw new AppError('flow.expired');
      return signIn.start(ctx, ctx.originalUrl);
    }
    const user = await users.findById(session.sub);
    if (user && signIn.endedSince(session, user)) {
      // Its sessions were ended since (the password changed, say): the administrator signs in again.
      signIn.forget(ctx);
      if (ctx.method !== 'GET') throw new AppError('flow.expired');
      return signIn.start(ctx, ctx.originalUrl);
    }
    const secondFactor = session.amr.includes('mfa');
    if (!user || user.status !== 'active' || lockout.isLocked(user) || !staffRoles.includes(user.role) || !secondFactor) {
      throw new AppError('admin.forbidden');
    }
    ctx.state.admin = { actor: user.id, role: user.role, ip: ctx.ip } satisfies AdminContext;
    ctx.state.adminUser = user;
    await next();
  };
}
