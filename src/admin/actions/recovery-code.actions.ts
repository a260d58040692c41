// Administrative actions on a user's recovery codes, shared by the admin pages and the JSON API:
// whether the user has a set and how many are left (never the codes themselves), and voiding the
// set (codes written down where someone else saw them). The help desk may do both; it is audited.
import type { RecoveryCodeStatus } from '../../recovery/recovery-code.service.js';
import type { Services } from '../../services.js';
import { type AdminContext, authorize } from './admin-context.js';

export class RecoveryCodeActions {
  constructor(private readonly s: Services) {}

  async status(admin: AdminContext, userId: string): Promise<RecoveryCodeStatus> {
    authorize(admin, 'tokens.read');
    await this.s.userAdmin.get(userId);
    return this.s.recoveryCodes.status(userId);
  }

  /** Returns how many codes were voided (used ones included). */
  async void(admin: AdminContext, userId: string): Promise<number> {
    const ctx = authorize(admin, 'tokens.help');
    await this.s.userAdmin.get(userId);
    return this.s.recoveryCodes.void(userId, ctx);
  }
}
