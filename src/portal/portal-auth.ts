// My Profile admits a user signed in through the provider with both factors; a sensitive change
// also needs that sign-in to be recent (ASVS 7.5): otherwise the user confirms it is them again.
import type { Context, Middleware } from 'koa';
import type { ConsoleSession, SelfSignIn } from '../console/self-sign-in.js';
import { AppError } from '../errors/app-error.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import type { LockoutService } from '../security/lockout.service.js';
import type { UserService } from '../users/user.service.js';

const OPEN_PATHS = new Set(['/account/callback', '/account/signed-out']);

export function portalAuth(signIn: SelfSignIn, users: UserService, lockout: LockoutService): Middleware {
  return async (ctx: Context, next) => {
    if (OPEN_PATHS.has(ctx.path)) return next();
    const session = signIn.session(ctx);
    if (!session) {
      if (ctx.method !== 'GET') throw new AppError('flow.expired');
      return signIn.start(ctx, ctx.originalUrl);
    }
    const user = await users.findById(session.sub);
    if (user && signIn.endedSince(session, user)) {
      // Its sessions were ended since (the password changed, say): the user signs in again.
      signIn.forget(ctx);
      if (ctx.method !== 'GET') throw new AppError('flow.expired');
      return signIn.start(ctx, ctx.originalUrl);
    }
    if (!user || user.status !== 'active' || lockout.isLocked(user) || !session.amr.includes('mfa')) {
      // The account changed since the sign-in: its session here ends too.
      await signIn.end(ctx, '/account/signed-out');
      throw new AppError('portal.not_available');
    }
    ctx.state.portalSession = session;
    ctx.state.portalUser = user;
    await next();
  };
}

export function portalUser(ctx: Context): UserEntity {
  return ctx.state.portalUser as UserEntity;
}

/** Throws unless the last full sign-in is recent enough for a sensitive change. */
export function requireFresh(ctx: Context, signIn: SelfSignIn, maxAgeSeconds: number): void {
  if (!signIn.isFresh(ctx.state.portalSession as ConsoleSession, maxAgeSeconds)) throw new AppError('portal.reauth_required');
}
