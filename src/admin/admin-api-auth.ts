// Who is calling the admin API: a service account holding a client-credentials access token with
// the admin scope, issued by this provider. Its role comes from the client's admin_role.
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { AppError } from '../errors/app-error.js';
import type { Role } from '../persistence/entities/user.entity.js';
import { ADMIN_SCOPE } from '../provider/provider.js';

export interface AdminActor {
  /** Audit actor: a user id, or client:<id> for a service account. */
  actor: string;
  role: Role;
}

export function adminApiAuth(provider: Provider): Middleware {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!match) {
      ctx.set('WWW-Authenticate', 'Bearer realm="admin"');
      throw new AppError('admin.unauthenticated');
    }
    const token = await provider.ClientCredentials.find(match[1]!);
    const scopes = new Set(String(token?.scope ?? '').split(' '));
    // A token for a resource server (it has an audience) is that API's, never the admin API's.
    if (!token || token.isExpired || !scopes.has(ADMIN_SCOPE) || token.aud !== undefined) {
      ctx.set('WWW-Authenticate', 'Bearer realm="admin", error="invalid_token"');
      throw new AppError('admin.unauthenticated');
    }
    const client = token.clientId ? await provider.Client.find(token.clientId) : undefined;
    const role = client?.['admin_role'] as Role | undefined;
    if (!client || !role) throw new AppError('admin.forbidden');
    ctx.state.admin = { actor: `client:${client.clientId}`, role } satisfies AdminActor;
    await next();
  };
}
