// Admin console: delete a user's passkey after a confirmation page that says what will happen, or
// why it is refused (the account's last way in, which an administrator may still take; the last
// super administrator's, which nobody may).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../errors/app-error.js';
import { messageFor } from '../../errors/messages.js';
import { field } from '../../http/form-body.js';
import type { ConsolePages } from './console-pages.js';
import type { Services } from '../../services.js';
import type { AdminContext } from '../actions/admin-context.js';
import { PasskeyActions } from '../actions/passkey.actions.js';
import { UserActions } from '../actions/user.actions.js';

export function adminPasskeyPages(router: Router, s: Services, page: ConsolePages): void {
  const passkeys = new PasskeyActions(s);
  const users = new UserActions(s);
  const admin = (ctx: Context) => ctx.state.admin as AdminContext;
  const back = (id: string) => `/admin/users/${encodeURIComponent(id)}#passkeys`;

  router.get('/users/:id/passkeys/:passkeyId/delete', async (ctx) => {
    const user = await users.get(admin(ctx), ctx.params.id!);
    const passkey = await passkeys.get(admin(ctx), user.id, ctx.params.passkeyId!);
    let refusal: { code: string; text: string } | undefined;
    try {
      await passkeys.checkDelete(admin(ctx), user.id, passkey.id);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      refusal = { code: err.code, text: messageFor(err.code, err.params, page.locale(ctx)) };
    }
    page.render(ctx, 'admin/passkey-delete.njk', { user, passkey, refusal });
  });

  router.post('/users/:id/passkeys/:passkeyId/delete', (ctx) =>
    page.act(ctx, back(ctx.params.id!), 'admin.passkey_deleted', () => passkeys.delete(admin(ctx), ctx.params.id!, ctx.params.passkeyId!, field(ctx, 'allowLast') === 'yes')),
  );
}
