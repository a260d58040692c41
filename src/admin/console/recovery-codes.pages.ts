// Admin console: void a user's recovery codes (after a confirmation tick); the user page shows how many are left.
import type Router from '@koa/router';
import { AppError } from '../../errors/app-error.js';
import { field } from '../../http/form-body.js';
import type { ConsolePages } from './console-pages.js';
import type { Services } from '../../services.js';
import type { AdminContext } from '../actions/admin-context.js';
import { RecoveryCodeActions } from '../actions/recovery-code.actions.js';

export function adminRecoveryCodePages(router: Router, s: Services, page: ConsolePages): void {
  const codes = new RecoveryCodeActions(s);
  router.post('/users/:id/recovery-codes/void', (ctx) =>
    page.act(ctx, `/admin/users/${encodeURIComponent(ctx.params.id!)}`, 'recovery_code.voided', async () => {
      if (field(ctx, 'confirm') !== 'yes') throw new AppError('recovery_code.confirm');
      await codes.void(ctx.state.admin as AdminContext, ctx.params.id!);
    }),
  );
}
