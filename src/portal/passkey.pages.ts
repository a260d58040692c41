// My Profile → Passkeys: add one (a WebAuthn registration bound to this sign-in), rename, and delete
// after a confirmation page that says what will happen (or why it is refused). Each change needs the
// recent sign-in every My Profile change needs; the rules live in PasskeyService.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AuditContext } from '../audit/audit.service.js';
import type { ConsoleSession, SelfSignIn } from '../console/self-sign-in.js';
import { AppError } from '../errors/app-error.js';
import { type MessageCode, messageFor } from '../errors/messages.js';
import { field } from '../http/form-body.js';
import type { PageResponder } from '../http/page-responder.js';
import { passkeyView } from '../passkeys/passkey-view.js';
import type { Services } from '../services.js';
import { portalUser } from './portal-auth.js';
import { PortalPasskeyCeremony } from './portal-passkey-ceremony.js';

export interface PasskeyPagesDeps {
  s: Services;
  page: PageResponder;
  signIn: SelfSignIn;
  reauthSeconds: number;
  /** My Profile's page.act for changes that need a recent sign-in. */
  sensitive: (ctx: Context, back: string, success: MessageCode, action: () => Promise<unknown>) => Promise<void>;
  audit: (ctx: Context) => AuditContext;
  home: string;
}

export function passkeyPages(router: Router, { s, page, signIn, reauthSeconds, sensitive, audit, home }: PasskeyPagesDeps): void {
  const ceremony = new PortalPasskeyCeremony(s.passkeys, s.box, s.config.issuer.startsWith('https://'), home);
  const session = (ctx: Context) => ctx.state.portalSession as ConsoleSession;
  const passkeyPath = (ctx: Context, suffix = '') => `${home}/passkeys/${encodeURIComponent(ctx.params.id!)}${suffix}`;

  // The ceremony would create a credential on the device that a stale sign-in could not then store:
  // confirm it is the user first, then show the page.
  router.get('/passkeys/new', async (ctx) => {
    const here = `${home}/passkeys/new`;
    if (!signIn.isFresh(session(ctx), reauthSeconds)) return ctx.redirect(`${home}/reauth?return=${encodeURIComponent(here)}`);
    page.render(ctx, 'account/passkey-new.njk', { options: await ceremony.options(ctx, portalUser(ctx), session(ctx)), here });
  });
  router.post('/passkeys', (ctx) =>
    sensitive(ctx, `${home}/passkeys/new`, 'passkey.registered', async () => {
      await ceremony.register(ctx, portalUser(ctx), session(ctx), field(ctx, 'response'), field(ctx, 'name'), audit(ctx));
      return { redirect: home };
    }),
  );

  router.post('/passkeys/:id/rename', (ctx) =>
    sensitive(ctx, home, 'passkey.renamed', () => s.passkeys.rename(portalUser(ctx).id, ctx.params.id!, field(ctx, 'name'), audit(ctx))),
  );

  /** Says what deleting it does, or why it cannot be deleted; the button posts to the same path. */
  router.get('/passkeys/:id/delete', async (ctx) => {
    const user = portalUser(ctx);
    const passkey = passkeyView(await s.passkeys.get(user.id, ctx.params.id!));
    let refusal: string | undefined;
    try {
      await s.passkeys.removable(user, passkey.id);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      refusal = messageFor(err.code, err.params);
    }
    const others = (await s.passkeys.list(user.id)).length - 1;
    const tokens = await s.tokens.hasActive(user.id);
    page.render(ctx, 'account/passkey-delete.njk', { passkey, refusal, others, tokens, here: passkeyPath(ctx, '/delete') });
  });
  router.post('/passkeys/:id/delete', (ctx) =>
    sensitive(ctx, home, 'passkey.deleted', () => s.passkeys.remove(portalUser(ctx), ctx.params.id!, audit(ctx))),
  );
}
