// Administrative actions on a user's passkeys, shared by the admin pages and the JSON API: list them,
// and delete one (a lost device). Help desk may delete; taking the account's last way in
// (`allowLast`, the user sets one up at the next sign-in) needs an administrator, as for tokens.
import { type PasskeyView, passkeyView } from '../../passkeys/passkey-view.js';
import type { Services } from '../../services.js';
import { type AdminContext, authorize } from './admin-context.js';

export class PasskeyActions {
  constructor(private readonly s: Services) {}

  async list(admin: AdminContext, userId: string): Promise<PasskeyView[]> {
    authorize(admin, 'passkeys.read');
    await this.s.userAdmin.get(userId);
    return (await this.s.passkeys.list(userId)).map(passkeyView);
  }

  async get(admin: AdminContext, userId: string, passkeyId: string): Promise<PasskeyView> {
    authorize(admin, 'passkeys.read');
    await this.s.userAdmin.get(userId);
    return passkeyView(await this.s.passkeys.get(userId, passkeyId));
  }

  /** Throws the refusal (the last way in, the last super administrator) without deleting anything. */
  async checkDelete(admin: AdminContext, userId: string, passkeyId: string, allowLast = false): Promise<void> {
    authorize(admin, 'passkeys.delete');
    if (allowLast) authorize(admin, 'tokens.write');
    await this.s.passkeys.removable(await this.s.userAdmin.get(userId), passkeyId, { allowLast });
  }

  async delete(admin: AdminContext, userId: string, passkeyId: string, allowLast = false): Promise<void> {
    const ctx = authorize(admin, 'passkeys.delete');
    if (allowLast) authorize(admin, 'tokens.write');
    await this.s.passkeys.remove(await this.s.userAdmin.get(userId), passkeyId, ctx, { allowLast });
  }
}
