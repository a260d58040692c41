// What the console asks before an action that cannot be taken back, and says will happen: deleting a
// user, a soft token, an application, an API or a group, reactivating a token (its secret dies), signing
// a user out everywhere.
import type { Context } from 'koa';
import { type Confirmation, confirmed } from '../../http/confirmation.js';
import { field } from '../../http/form-body.js';
import type { PageResponder } from '../../http/page-responder.js';
import type { ResourceServer } from '../../resources/resource-server.service.js';
import type { Services } from '../../services.js';
import { type AdminContext, authorize } from '../actions/admin-context.js';
import { TokenActions } from '../actions/token.actions.js';
import { UserActions } from '../actions/user.actions.js';

const LAYOUT = 'admin/layout.njk';

export type UserAction = 'delete' | 'sign-out';
export type TokenAction = 'reactivate' | 'delete';

export class ConsoleConfirmations {
  readonly #users: UserActions;
  readonly #tokens: TokenActions;

  constructor(private readonly s: Services, private readonly page: PageResponder) {
    this.#users = new UserActions(s);
    this.#tokens = new TokenActions(s);
  }

  /** True when `confirm=yes` came with the form; otherwise the confirmation page is the answer. */
  async user(ctx: Context, action: UserAction): Promise<boolean> {
    if (field(ctx, 'confirm') === 'yes') return true;
    const user = await this.#users.get(ctx.state.admin as AdminContext, ctx.params.id!);
    const who = user.name ? `${user.name} (${user.username})` : user.username;
    const cancel = `/admin/users/${encodeURIComponent(user.id)}`;
    const asks: Record<UserAction, Omit<Confirmation, 'cancel' | 'layout'>> = {
      delete: {
        title: `Delete the user ${user.username}?`,
        what: `${who} can no longer sign in anywhere. The account, its soft tokens, passkeys, recovery codes, security questions and sessions are deleted. This cannot be undone; the audit log keeps its events.`,
        button: `Yes, delete ${user.username}`,
      },
      'sign-out': {
        title: `Sign ${user.username} out everywhere?`,
        what: `Every session of ${who} ends at once, on every device and in every application. The next sign-in asks for the password and the second factor again.`,
        button: `Yes, sign ${user.username} out everywhere`,
      },
    };
    return confirmed(ctx, this.page, { ...asks[action], cancel, layout: LAYOUT });
  }

  async token(ctx: Context, action: TokenAction): Promise<boolean> {
    if (field(ctx, 'confirm') === 'yes') return true;
    const admin = ctx.state.admin as AdminContext;
    const user = await this.#users.get(admin, ctx.params.id!);
    const token = (await this.#tokens.list(admin, user.id)).find((t) => t.id === ctx.params.tokenId);
    // An unknown token: the action itself says so.
    if (!token) return true;
    const cancel = `/admin/users/${encodeURIComponent(user.id)}`;
    const asks: Record<TokenAction, Omit<Confirmation, 'cancel' | 'layout'>> = {
      reactivate: {
        title: `Reactivate the soft token “${token.name}” of ${user.username}?`,
        what: `Its secret stops working at once: codes from the device ${user.username} uses now are refused. ${user.username} receives a new activation e-mail and cannot sign in with this token until it is activated again.`,
        button: 'Yes, reactivate this token',
      },
      delete: {
        title: `Delete the soft token “${token.name}” of ${user.username}?`,
        what: `It no longer signs ${user.username} in, and it cannot be brought back. If it is the account’s last second factor, the user sets up a new one at the next sign-in.`,
        button: 'Yes, delete this token',
      },
    };
    return confirmed(ctx, this.page, { ...asks[action], cancel, layout: LAYOUT });
  }

  /** An application: deleting it signs nobody in through it again (the console's own is refused before this). */
  application(ctx: Context, name: string): boolean {
    return confirmed(ctx, this.page, {
      title: `Delete the application ${name}?`,
      what: `Nobody can sign in to ${name} through this provider any more: its sign-ins, its secret and its access rule are gone, and tokens it holds stop being renewed. This cannot be undone.`,
      button: `Yes, delete ${name}`,
      cancel: '/admin/clients',
      layout: LAYOUT,
    });
  }

  /** A group no application's rule names (one that is named is refused by the action itself, unasked). */
  async group(ctx: Context, groupId: string): Promise<boolean> {
    if (field(ctx, 'confirm') === 'yes') return true;
    authorize(ctx.state.admin as AdminContext, 'groups.write');
    const group = (await this.s.groups.list()).find((g) => g.id === groupId);
    if (!group || (await this.s.groups.applicationsRequiring(groupId)).length > 0) return true;
    return confirmed(ctx, this.page, {
      title: `Delete the group ${group.name}?`,
      what: `Its members are no longer in ${group.name}, and it can no longer be chosen in an application's access rule. The users themselves are kept. This cannot be undone.`,
      button: `Yes, delete ${group.name}`,
      cancel: '/admin/groups',
      layout: LAYOUT,
    });
  }
}

/** An API: applications can no longer get tokens for it, and the API can no longer introspect. */
export function resourceServerDeletion(api: Pick<ResourceServer, 'identifier' | 'name' | 'clientId'>): Confirmation {
  return {
    title: `Delete the API ${api.name}?`,
    what: `Applications can no longer get access tokens for ${api.identifier}, and its introspection credentials (${api.clientId}) stop working, so ${api.name} can no longer check the opaque tokens it receives. This cannot be undone.`,
    button: `Yes, delete ${api.name}`,
    cancel: '/admin/resource-servers',
    layout: LAYOUT,
  };
}
