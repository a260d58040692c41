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
    // Catalogue keys: the page speaks the reader's language.
    if (action === 'reactivate') {
      return confirmed(ctx, this.page, {
        title: 'confirm.token_reactivate_title',
        what: 'confirm.token_reactivate_what',
        button: 'confirm.token_reactivate_button',
        params: { name: token.name },
        cancel,
        layout: LAYOUT,
      });
    }
    return confirmed(ctx, this.page, {
      title: 'confirm.token_delete_title',
      what: 'confirm.token_delete_what',
      button: 'confirm.token_delete_button',
      params: { name: token.name },
      cancel,
      layout: LAYOUT,
    });
  }

  signOutEverywhere(ctx: Context): boolean {
    return confirmed(ctx, this.page, {
      title: 'confirm.sign_out_title',
      what: 'confirm.sign_out_what',
      button: 'confirm.sign_out_button',
      params: {},
      cancel: this.home,
      layout: LAYOUT,
    });
  }
}
