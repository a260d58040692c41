// findAccount for oidc-provider: the user store seen through OIDC claims.
import type { Account, KoaContextWithOIDC } from 'oidc-provider';
import type { UserService } from '../users/user.service.js';

export function accountFinder(users: UserService) {
  return async function findAccount(_ctx: KoaContextWithOIDC, sub: string): Promise<Account | undefined> {
    const user = await users.findById(sub);
    if (!user || user.status !== 'active') return undefined;
    return {
      accountId: user.id,
      async claims() {
        return {
          sub: user.id,
          email: user.email,
          email_verified: user.emailVerified,
          name: user.name || user.username,
          preferred_username: user.username,
          ...(user.mobile ? { phone_number: user.mobile, phone_number_verified: false } : {}),
        };
      },
    };
  };
}
