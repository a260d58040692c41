// What My Profile asks before an action that cannot be taken back, and says will happen: reactivating
// a soft token (its secret dies), deleting one, ending every session.
import type { Context } from 'koa';
import { confirmed } from '../http/confirmation.js';
import { field } from '../http/form-body.js';
import type { PageResponder } from '../http/page-responder.js';
import type { ProfileService } from './profile.service.js';
import { portalUser } from './portal-auth.js';

const LAYOUT = 'account/layout.njk';

export class ProfileConfirmations {
  constructor(
    private readonly page: PageResponder,
    private readonly profile: ProfileService,
    private readonly home: string,
  ) {}

  /** True when `confirm=yes` came with the form; otherwise the confirmation page is the answer. */
  async token(ctx: Context, action: 'reactivate' | 'delete'): Promise<boolean> {
    if (field(ctx, 'confirm') === 'yes') return true;
    const token = (await this.profile.tokens(portalUser(ctx))).find((t) => t.id === ctx.params.id);
    // Not one of this account's tokens: the action itself says so.
    if (!token) return true;
    const cancel = `${this.home}#authenticators`;
    if (action === 'reactivate') {
      return confirmed(ctx, this.page, {
        title: `Reactivate your soft token “${token.name}”?`,
        what: 'Its current secret stops working at once: the codes your device shows now will be refused. You then activate the token again, as when you first set it up.',
        button: 'Yes, reactivate it',
        cancel,
        layout: LAYOUT,
      });
    }
    return confirmed(ctx, this.page, {
      title: `Delete your soft token “${token.name}”?`,
      what: 'It will no longer sign you in, and it cannot be brought back: to use that device again you add it as a new soft token.',
      button: 'Yes, delete it',
      cancel,
      layout: LAYOUT,
    });
  }

  signOutEverywhere(ctx: Context): boolean {
    return confirmed(ctx, this.page, {
      title: 'Sign out everywhere?',
      what: 'Every session of your account ends at once — on this device and every other, in every application. You then sign in again with your password and second factor.',
      button: 'Yes, sign me out everywhere',
      cancel: this.home,
      layout: LAYOUT,
    });
  }
}
