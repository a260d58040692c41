// My Profile → Recovery codes: how many are left, and a new set — which voids the old one — after a
// recent full sign-in. The codes are on the answer to that form only: nothing keeps them to show again.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AuditContext } from '../audit/audit.service.js';
import type { SelfSignIn } from '../console/self-sign-in.js';
import type { FormReturn } from '../http/error-handler.js';
import type { PageResponder } from '../http/page-responder.js';
import { recoveryCodesView } from '../recovery/recovery-codes-view.js';
import type { Services } from '../services.js';
import { portalUser, requireFresh } from './portal-auth.js';

export interface RecoveryCodePagesDeps {
  s: Services;
  page: PageResponder;
  signIn: SelfSignIn;
  reauthSeconds: number;
  audit: (ctx: Context) => AuditContext;
  home: string;
}

/** Whether the account has just set up its first second factor (one token or passkey) and has no codes: time to make them. */
export async function needsFirstRecoveryCodes(s: Services, userId: string): Promise<boolean> {
  const [codes, tokens, passkeys] = await Promise.all([s.recoveryCodes.status(userId), s.tokens.list(userId), s.passkeys.list(userId)]);
  return codes.remaining === 0 && tokens.filter((t) => t.state === 'active').length + passkeys.length === 1;
}

export function recoveryCodePages(router: Router, { s, page, signIn, reauthSeconds, audit, home }: RecoveryCodePagesDeps): void {
  const here = `${home}/recovery-codes`;

  router.get('/recovery-codes', async (ctx) => {
    page.render(ctx, 'account/recovery-codes.njk', { status: await s.recoveryCodes.status(portalUser(ctx).id), here });
  });

  router.post('/recovery-codes', async (ctx) => {
    // A stale sign-in goes back to the page with the reason (the error boundary's flash).
    ctx.state.formReturn = { flash: page.flash, to: here } satisfies FormReturn;
    requireFresh(ctx, signIn, reauthSeconds);
    const codes = await s.recoveryCodes.generate(portalUser(ctx), audit(ctx));
    page.render(ctx, 'account/recovery-codes-new.njk', { ...recoveryCodesView(codes, s.config.issuer), here });
  });
}
