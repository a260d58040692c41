// What the console asks before an action that cannot be taken back, and says will happen: deleting a
// user, a soft token, an application, an API or a group, reactivating a token (its secret dies), signing
// a user out everywhere.
import type { Context } from 'koa';
import { type Confirmation, confirmed } from '../../http/confirmation.js';
import { field } from '../../http/form-body.js';
import type { ConsolePages } from './console-pages.js';
import type { ResourceServer } from '../../resources/resource-server.service.js';
import type { Services } from '../../services.js';
import { type AdminContext, authorize } from '../actions/admin-context.js';
import { TokenActions } from '../actions/token.actions.js';
import { UserActions } from '../actions/user.actions.js';

const LAYOUT = 'admin/layout.njk';

/** A confirmation's title, what will happen and button, as catalogue keys (the page fills them in its language). */
type Asked = Pick<Confirmation, 'title' | 'what' | 'button'>;
const ask = (title: string, what: string, button: string): Asked => ({ title, what, button });

export type UserAction = 'delete' | 'sign-out';
export type TokenAction = 'reactivate' | 'delete';

export class ConsoleConfirmations {
  readonly #users: UserActions;
  readonly #tokens: TokenActions;

  constructor(private readonly s: Services, private readonly page: ConsolePages) {
    this.#users = new UserActions(s);
    this.#tokens = new TokenActions(s);
  }

  /** True when `confirm=yes` came with the form; otherwise the confirmation page is the answer. */
  async user(ctx: Context, action: UserAction): Promise<boolean> {
    if (field(ctx, 'confirm') === 'yes') return true;
    const user = await this.#users.get(ctx.state.admin as AdminContext, ctx.params.id!);
    const who = user.name ? `${user.name} (${user.username})` : user.username;
    const cancel = `/admin/users/${encodeURIComponent(user.id)}`;
    const asks: Record<UserAction, Asked> = {
      delete: ask('console.confirm.user_delete_title', 'console.confirm.user_delete_what', 'console.confirm.user_delete_button'),
      'sign-out': ask('console.confirm.user_sign_out_title', 'console.confirm.user_sign_out_what', 'console.confirm.user_sign_out_button'),
    };
    const params = { username: user.username, who };
    return confirmed(ctx, this.page, { ...asks[action], params, cancel, layout: LAYOUT });
  }

  async token(ctx: Context, action: TokenAction): Promise<boolean> {
    if (field(ctx, 'confirm') === 'yes') return true;
    const admin = ctx.state.admin as AdminContext;
    const user = await this.#users.get(admin, ctx.params.id!);
    const token = (await this.#tokens.list(admin, user.id)).find((t) => t.id === ctx.params.tokenId);
    // An unknown token: the action itself says so.
    if (!token) return true;
    const cancel = `/admin/users/${encodeURIComponent(user.id)}`;
    const asks: Record<TokenAction, Asked> = {
      reactivate: ask('console.confirm.token_reactivate_title', 'console.confirm.token_reactivate_what', 'console.confirm.token_reactivate_button'),
      delete: ask('console.confirm.token_delete_title', 'console.confirm.token_delete_what', 'console.confirm.token_delete_button'),
    };
    const params = { username: user.username, token: token.name };
    return confirmed(ctx, this.page, { ...asks[action], params, cancel, layout: LAYOUT });
  }

  /** An application: deleting it signs nobody in through it again (the console's own is refused before this). */
  application(ctx: Context, name: string): boolean {
    return confirmed(ctx, this.page, {
      ...ask('console.confirm.application_delete_title', 'console.confirm.application_delete_what', 'console.confirm.application_delete_button'),
      params: { name },
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
      ...ask('console.confirm.group_delete_title', 'console.confirm.group_delete_what', 'console.confirm.group_delete_button'),
      params: { name: group.name },
      cancel: '/admin/groups',
      layout: LAYOUT,
    });
  }
}

/** An API: applications can no longer get tokens for it, and the API can no longer introspect. */
export function resourceServerDeletion(api: Pick<ResourceServer, 'identifier' | 'name' | 'clientId'>): Confirmation {
  return {
    ...ask('console.confirm.api_delete_title', 'console.confirm.api_delete_what', 'console.confirm.api_delete_button'),
    params: { name: api.name, identifier: api.identifier, clientId: api.clientId },
    cancel: '/admin/resource-servers',
    layout: LAYOUT,
  };
}
