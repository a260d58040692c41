// The interaction pages: thin glue between oidc-provider's interactions, the flow engine and views.
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type nunjucks from 'nunjucks';
import type { AuditService } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import { formStrings } from '../http/form-body.js';
import { isDatabaseUnavailable } from '../persistence/unavailable.js';
import { messageFor } from '../errors/messages.js';
import { localeLocals, requestLocale } from '../http/views.js';
import type { Locale } from '../i18n/locale.js';
import { assess } from '../authenticators/assurance.js';
import { proofsFromAmr } from '../authenticators/registry.js';
import type { EngineOutcome, FlowEngine, FlowSession } from './flow-engine.js';
import { reportedAcr, requestedLevel } from './requested-level.js';
import { emptyFlowState, type FlowState } from './step.js';
import { SignInWaysOut } from './sign-in-ways-out.js';
import { lockedText, lockedWhatToDo } from '../i18n/lock-words.js';
import { translator } from '../i18n/i18n.js';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export function interactionRoutes(
  provider: Provider,
  engine: FlowEngine,
  views: nunjucks.Environment,
  audit: AuditService,
  forms: Middleware[],
): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  const waysOut = new SignInWaysOut(provider, audit.accounts);

  // No dead ends: an expired sign-in offers to start again, a lock says until when, and a form whose
  // CSRF cookie is gone (cookies cleared) is shown again, ready to send, instead of an error that a reload repeats.
  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'csrf.invalid' && ctx.method === 'POST') {
        if (await showFormAgain(ctx)) return;
        // Every cookie is gone, the sign-in's too: it cannot go on, but it can start again.
        throw await waysOut.decorate(new AppError('flow.expired'), ctx.params.uid);
      }
      throw await waysOut.decorate(err, ctx.params.uid, ctx.method === 'POST' ? formStrings(ctx).login : undefined);
    }
  });
  router.use(...forms);

  /** The sign-in's current page again, with a fresh form token (status 403: the post itself was refused). */
  async function showFormAgain(ctx: Context): Promise<boolean> {
    let interaction: Interaction;
    try {
      interaction = await load(ctx);
    } catch {
      return false;
    }
    // The CSRF check refused before it set this request's token: run the form middleware as for a page view.
    const method = ctx.method;
    ctx.method = 'GET';
    try {
      for (const mw of forms) await mw(ctx, async () => undefined);
    } finally {
      ctx.method = method;
    }
    const notice = (locale: Locale) => translator(locale)('page.form_expired');
    if (interaction.prompt.name === 'login') {
      const outcome = await engine.show(session(ctx, interaction));
      if (outcome.kind !== 'render') return false;
      await respond(ctx, interaction, outcome, notice);
    } else if (interaction.prompt.name === 'consent') {
      const client = await provider.Client.find(String(interaction.params.client_id));
      if (!client) return false;
      const details = interaction.prompt.details as { missingOIDCScope?: string[] };
      const locale = localeOf(ctx, interaction);
      page(ctx, locale, 'consent.njk', { clientName: client.clientName ?? client.clientId, scopes: details.missingOIDCScope ?? [], error: notice(locale) });
    } else return false;
    ctx.status = 403;
    return true;
  }

  async function load(ctx: Context): Promise<Interaction> {
    try {
      const interaction = await provider.interactionDetails(ctx.req, ctx.res);
      if (interaction.uid !== ctx.params.uid) throw new Error('uid mismatch');
      return interaction;
    } catch (err) {
      // The database being away is not an expired sign-in: the boundary says 503, and the sign-in goes on later.
      if (isDatabaseUnavailable(err)) throw err;
      throw new AppError('flow.expired');
    }
  }

  function session(ctx: Context, interaction: Interaction): FlowSession {
    const stored = (interaction.result as { flow?: FlowState } | undefined)?.flow;
    return {
      uid: interaction.uid,
      clientId: String(interaction.params.client_id),
      state: stored ?? initialState(interaction),
      ip: ctx.ip,
      requested: requestedLevel(interaction.params).required,
      async save(state) {
        interaction.result = { ...(interaction.result ?? {}), flow: state };
        await interaction.persist();
      },
    };
  }

  /** The sign-in's language: its ui_locales, the browser's, the account's saved one, the default. */
  function localeOf(ctx: Context, interaction: Interaction, saved?: string | null): Locale {
    return requestLocale(views, { uiLocales: interaction.params.ui_locales, acceptLanguage: ctx.get('accept-language'), saved });
  }

  function page(ctx: Context, locale: Locale, template: string, data: Record<string, unknown>, status = 200): void {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = views.render(template, { ...data, ...localeLocals(locale), csrfToken: ctx.state.csrfToken, uid: ctx.params.uid });
  }

  /** Stores the result on the interaction already loaded (as `interactionResult` would, without reading it again). */
  async function finish(ctx: Context, interaction: Interaction, result: InteractionResults, merge: boolean): Promise<void> {
    interaction.result = merge && !('error' in result) ? { ...interaction.lastSubmission, ...result } : result;
    await interaction.persist();
    ctx.status = 303;
    ctx.redirect(interaction.returnTo);
  }

  /** `errorText` replaces the outcome's error words (a lock's end, a form shown again), in the page's language. */
  async function respond(ctx: Context, interaction: Interaction, outcome: EngineOutcome, errorText?: (locale: Locale) => string | undefined): Promise<void> {
    switch (outcome.kind) {
      case 'advance':
        ctx.status = 303;
        ctx.redirect(`/interaction/${interaction.uid}`);
        return;
      case 'done': {
        const { acr, amr } = assess(outcome.proofs);
        const reported = reportedAcr(acr!, requestedLevel(interaction.params));
        await finish(ctx, interaction, { login: { accountId: outcome.accountId, amr, acr: reported, remember: true, ts: Math.floor(outcome.at / 1000) } }, false);
        return;
      }
      case 'render': {
        const { error, notice, view } = outcome;
        const client = await provider.Client.find(String(interaction.params.client_id));
        const locale = localeOf(ctx, interaction, outcome.savedLocale);
        page(
          ctx,
          locale,
          view.template,
          {
            ...view.data,
            step: outcome.stepId,
            alternatives: outcome.alternatives,
            clientName: client?.clientName ?? client?.clientId,
            error: errorText?.(locale) ?? (error ? messageFor(error.code, error.params, locale) : undefined),
            notice: notice ? messageFor(notice.code, notice.params, locale) : undefined,
          },
          // A failed factor is a 400 for the page (401 would ask the browser for credentials).
          error ? (error.status === 401 ? 400 : error.status) : 200,
        );
      }
    }
  }

  /** A level the sign-in cannot reach ends in the OIDC error the application expects, never a weaker token. */
  async function run(ctx: Context, interaction: Interaction, outcome: () => Promise<EngineOutcome>, login?: string): Promise<void> {
    try {
      const result = await outcome();
      return await respond(ctx, interaction, result, await lockText(result, interaction, login));
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'flow.unmet') throw err;
      await audit.record({ type: 'login.unmet', outcome: 'failure', ip: ctx.ip, clientId: String(interaction.params.client_id), subject: interaction.session?.accountId ?? null });
      const error_description = 'The sign-in cannot reach the authentication level the application requires.';
      await finish(ctx, interaction, { error: 'unmet_authentication_requirements', error_description }, false);
    }
  }

  /** A lock shown on the step's own page says until when. */
  async function lockText(outcome: EngineOutcome, interaction: Interaction, login?: string): Promise<((locale: Locale) => string | undefined) | undefined> {
    if (outcome.kind !== 'render' || outcome.error?.code !== 'login.locked') return undefined;
    const accountId = (interaction.result as { flow?: FlowState } | undefined)?.flow?.accountId;
    const lock = await waysOut.lockParams(accountId, login);
    return (locale) => {
      const text = lockedText(lock, locale);
      return text && `${text} ${lockedWhatToDo(locale)}`;
    };
  }

  router.get('/', async (ctx) => {
    const interaction = await load(ctx);
    if (interaction.prompt.name === 'login') return run(ctx, interaction, () => engine.show(session(ctx, interaction)));
    if (interaction.prompt.name !== 'consent') throw new AppError('flow.expired');
    const client = await provider.Client.find(String(interaction.params.client_id));
    if (!client) throw new AppError('flow.expired');
    if (client['first_party'] === true) return grantConsent(ctx, interaction);
    const details = interaction.prompt.details as { missingOIDCScope?: string[] };
    page(ctx, localeOf(ctx, interaction), 'consent.njk', { clientName: client.clientName ?? client.clientId, scopes: details.missingOIDCScope ?? [] });
  });

  router.post('/step/:step', async (ctx) => {
    const interaction = await load(ctx);
    if (interaction.prompt.name !== 'login') throw new AppError('flow.expired');
    const form = formStrings(ctx);
    await run(ctx, interaction, () => engine.submit(session(ctx, interaction), ctx.params.step!, form), form.login);
  });

  // A step's address typed or reloaded in the address bar (after a failed submit): the sign-in where it is.
  router.get(['/step/:step', '/consent', '/abort'], async (ctx) => {
    const interaction = await load(ctx);
    ctx.status = 303;
    ctx.redirect(`/interaction/${interaction.uid}`);
  });

  router.post('/consent', async (ctx) => {
    const interaction = await load(ctx);
    if (interaction.prompt.name !== 'consent') throw new AppError('flow.expired');
    await grantConsent(ctx, interaction);
  });

  router.post('/abort', async (ctx) => {
    const interaction = await load(ctx);
    await audit.record({ type: 'login.aborted', outcome: 'failure', ip: ctx.ip, clientId: String(interaction.params.client_id), subject: interaction.session?.accountId ?? null });
    await finish(ctx, interaction, { error: 'access_denied', error_description: 'The user cancelled the sign-in.' }, false);
  });

  async function grantConsent(ctx: Context, interaction: Interaction): Promise<void> {
    const accountId = interaction.session?.accountId;
    if (!accountId) throw new AppError('flow.expired');
    const clientId = String(interaction.params.client_id);
    const grant = interaction.grantId
      ? ((await provider.Grant.find(interaction.grantId)) ?? new provider.Grant({ accountId, clientId }))
      : new provider.Grant({ accountId, clientId });
    const details = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await audit.record({ type: 'consent.granted', outcome: 'success', subject: accountId, clientId, ip: ctx.ip, actor: accountId });
    await finish(ctx, interaction, { consent: { grantId } }, true);
  }

  return router;
}

/** Why oidc-provider asks for a sign-in when the only thing missing is a stronger level. */
const STEP_UP_REASONS = new Set(['acr_level', 'essential_acr', 'essential_acrs']);

/**
 * A signed-in user asked for more (step-up) keeps what the session already proved: only the rest is
 * asked. A sign-in asked for any other reason (prompt=login, max_age) starts from nothing.
 */
function initialState(interaction: Interaction): FlowState {
  const state = emptyFlowState();
  const session = interaction.session as { accountId?: string; amr?: unknown } | undefined;
  const stepUp = interaction.prompt.reasons.length > 0 && interaction.prompt.reasons.every((r) => STEP_UP_REASONS.has(r));
  if (!stepUp || !session?.accountId || !Array.isArray(session.amr)) return state;
  return { ...state, accountId: session.accountId, proofs: proofsFromAmr(session.amr.map(String)) };
}
