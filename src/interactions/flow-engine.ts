// The login flow engine: walks the requirements in order, asks the current step to show or check
// itself, and counts a failed factor against the account. It knows no step by name: steps say what
// they prove, and the engine offers them only where they help reach the level the sign-in needs.
import type { AuditService } from '../audit/audit.service.js';
import { assess, type Level, meets } from '../authenticators/assurance.js';
import type { Proof } from '../authenticators/registry.js';
import type { ClientRuleService } from '../clients/client-rule.service.js';
import { AppError } from '../errors/app-error.js';
import type { LockoutService } from '../security/lockout.service.js';
import type { UserService } from '../users/user.service.js';
import type { FlowState, Notice, Requirement, Step, StepContext, StepView } from './step.js';
import { type Clock, systemClock } from '../support/clock.js';

export interface FlowSession {
  uid: string;
  clientId: string;
  state: FlowState;
  ip: string | null;
  /** A level the request asks for beyond the application's rule (acr_values, an essential acr claim). */
  requested?: Level;
  save(state: FlowState): Promise<void>;
}

export type EngineOutcome =
  | { kind: 'render'; stepId: string; view: StepView; notice?: Notice; error?: AppError; alternatives: Record<string, Record<string, unknown>>; savedLocale?: string | null }
  | { kind: 'advance' }
  /** `at`: epoch ms of the completed authentication (the session's auth_time). */
  | { kind: 'done'; accountId: string; proofs: Proof[]; at: number };

interface Current {
  requirement: Requirement;
  step: Step;
  /**
   * The other steps of the requirement that would serve now (the user may pick one instead); not yet
   * asked when a submit found its own step serving (`#siblings` asks them when a page needs them).
   */
  siblings?: Step[];
}

export class FlowEngine {
  readonly #steps: Map<string, Step>;

  constructor(
    steps: Step[],
    private readonly flow: Requirement[],
    private readonly users: UserService,
    private readonly lockout: LockoutService,
    private readonly audit: AuditService,
    private readonly rules: ClientRuleService,
    private readonly clock: Clock = systemClock,
  ) {
    this.#steps = new Map(steps.map((s) => [s.id, s]));
    for (const r of flow) for (const id of r.steps) if (!this.#steps.has(id)) throw new Error(`flow names unknown step ${id}`);
  }

  async show(session: FlowSession): Promise<EngineOutcome> {
    const ctx = await this.#context(session);
    const current = await this.#current(ctx);
    if (!current) return this.#finish(ctx);
    let notice: Notice | undefined;
    let error: AppError | undefined;
    // `entered` only keeps a reload from running the step's entry (a PIN sent) twice.
    if (current.step.enter && ctx.state.entered !== current.step.id) {
      ctx.state.entered = current.step.id;
      try {
        notice = (await current.step.enter?.(ctx)) ?? undefined;
      } catch (err) {
        error = this.#expected(err);
      }
      await session.save(ctx.state);
    }
    return this.#render(ctx, current, { notice, error });
  }

  async submit(session: FlowSession, stepId: string, form: Record<string, string>): Promise<EngineOutcome> {
    const ctx = await this.#context(session);
    // The current step, or another that serves the same requirement (a passkey instead of the password).
    const current = await this.#current(ctx, stepId);
    if (!current) return { kind: 'advance' };
    const { requirement, step } = current;
    if (step.id !== stepId) return this.#render(ctx, current, { error: new AppError('flow.step_mismatch') });
    // A secret only the lockout limits is weighed on a try taken first (LockoutService.take).
    const trying = ctx.user && step.takesTry?.(ctx, form) ? ctx.user : undefined;
    if (trying && !(await this.lockout.take(trying, ctx.audit))) return this.#noTryLeft(ctx, current, form);
    let result;
    try {
      result = await step.submit(ctx, form);
    } catch (err) {
      ctx.facts.clear();
      const failed = err instanceof AppError && err.failedFactor;
      // A try taken is settled first: nothing that follows can leave it counted without its lock.
      const locked = trying ? await this.lockout.settle(trying.id, failed, ctx.audit) : undefined;
      const error = this.#expected(err);
      await session.save(ctx.state);
      // A failed factor counts against the account; the failure that locks it ends the flow.
      if (ctx.user && failed && (await this.#factorFailed(ctx, step.id, error, locked))) throw new AppError('login.locked');
      return this.#render(ctx, current, { error }, form);
    }
    if (trying) await this.lockout.settle(trying.id, false);
    ctx.facts.clear();
    switch (result.kind) {
      case 'proven':
        ctx.state.accountId ??= result.accountId;
        if (result.proof) ctx.state.proofs.push(result.proof);
        // Settled below the level this sign-in needs: nothing later can make up for it.
        if (result.settles && !this.#reached(ctx)) throw new AppError('flow.unmet');
        if (!requirement.untilLevel || result.settles || this.#reached(ctx)) ctx.state.completed.push(requirement.id);
        delete ctx.state.choices[requirement.id];
        ctx.state.entered = undefined;
        // A step that named the account: rules and lockout are checked (again) from the stored state.
        if (result.accountId) return this.#save(session, ctx.state);
        // After a later factor, the account is known: when nothing is left, finish in this response.
        if (!(await this.#current(ctx))) return this.#finish(ctx);
        return this.#save(session, ctx.state);
      case 'switch': {
        const target = current.step.id === result.to ? current.step : (await this.#siblings(ctx, current)).find((s) => s.id === result.to);
        if (!target) throw new AppError('request.invalid');
        ctx.state.choices[requirement.id] = result.to;
        ctx.state.entered = undefined;
        return this.#save(session, ctx.state);
      }
      case 'stay':
        await session.save(ctx.state);
        return this.#render(ctx, current, { notice: result.notice });
    }
  }

  async #save(session: FlowSession, state: FlowState): Promise<EngineOutcome> {
    await session.save(state);
    return { kind: 'advance' };
  }

  /** `submitted`: the form that just failed, for the page to show what was typed (never stored). */
  async #render(ctx: StepContext, current: Current, extra: { notice?: Notice; error?: AppError }, submitted?: Record<string, string>): Promise<EngineOutcome> {
    const alternatives: Record<string, Record<string, unknown>> = {};
    for (const s of await this.#siblings(ctx, current)) {
      if (s.offer) alternatives[s.id] = await s.offer(ctx);
    }
    const view = await current.step.view(ctx, submitted);
    // A factor's page after the first factor may say how many wrong answers the account still takes before it
    // locks (the password page never: it would tell which names exist). Steps that count otherwise say so themselves.
    if (ctx.user && current.step.proves && view.data.triesLeft === undefined) view.data.triesLeft = this.lockout.triesLeftOf(ctx.user);
    return { kind: 'render', stepId: current.step.id, view, alternatives, savedLocale: ctx.user?.locale, ...extra };
  }

  async #context(session: FlowSession): Promise<StepContext> {
    const rule = await this.rules.get(session.clientId);
    const required = session.requested && meets(session.requested, rule.minLevel) ? session.requested : rule.minLevel;
    const ctx: StepContext = {
      uid: session.uid,
      clientId: session.clientId,
      state: session.state,
      audit: { ip: session.ip, clientId: session.clientId },
      rule,
      required,
      facts: new Map(),
    };
    if (session.state.accountId) {
      const user = await this.users.findById(session.state.accountId);
      // Nothing after the first factor runs for an account that is gone, disabled or locked.
      if (!user || user.status !== 'active') throw new AppError('flow.expired');
      if (this.lockout.isLocked(user)) throw new AppError('login.locked');
      if (!(await this.rules.allows(session.clientId, user.id, ctx.rule))) {
        await this.audit.record({ ...ctx.audit, type: 'login.denied', outcome: 'failure', subject: user.id, details: { reason: 'rule' } });
        throw new AppError('rule.not_allowed');
      }
      ctx.user = user;
      ctx.audit.actor = user.id;
    }
    return ctx;
  }

  #reached(ctx: StepContext): boolean {
    return meets(assess(ctx.state.proofs).acr, ctx.required);
  }

  /**
   * Whether a step would serve now: it applies to the account and, where the requirement is a level,
   * what it proves reaches that level (a soft token cannot make a sign-in phishing-resistant).
   */
  async #serves(ctx: StepContext, requirement: Requirement, step: Step): Promise<boolean> {
    if (!(await step.available(ctx))) return false;
    if (!requirement.untilLevel || !step.proves) return true;
    const proof: Proof = { kind: step.proves, userVerified: true };
    return !ctx.state.proofs.some((p) => p.kind === step.proves) && meets(assess([...ctx.state.proofs, proof]).acr, ctx.required);
  }

  /**
   * The first requirement not yet met, with the step to show (and the others that would serve).
   * `submitted`: the step a form was posted to; when it serves its requirement it is the step, and the
   * other steps are not asked (one query each) unless a page needs them.
   */
  async #current(ctx: StepContext, submitted?: string): Promise<Current | null> {
    for (const requirement of this.flow) {
      if (ctx.state.completed.includes(requirement.id)) continue;
      if (requirement.untilLevel && this.#reached(ctx)) continue;
      if (requirement.identifies && ctx.state.accountId) continue;
      const asked = submitted !== undefined && requirement.steps.includes(submitted) ? this.#steps.get(submitted)! : undefined;
      if (asked && (await this.#serves(ctx, requirement, asked))) return { requirement, step: asked };
      const serving = await this.#serving(ctx, requirement, asked);
      const [step, ...siblings] = serving;
      if (step) return { requirement, step, siblings };
      if (requirement.untilLevel) throw new AppError('flow.unmet');
      if (!requirement.optional) throw new AppError('flow.no_method');
    }
    return null;
  }

  /** The requirement's steps that would serve now, the user's choice first (`except`: one already asked). */
  async #serving(ctx: StepContext, requirement: Requirement, except?: Step): Promise<Step[]> {
    const chosen = ctx.state.choices[requirement.id];
    const order = chosen ? [chosen, ...requirement.steps.filter((s) => s !== chosen)] : requirement.steps;
    const serving: Step[] = [];
    for (const id of order) {
      const step = this.#steps.get(id)!;
      if (step !== except && (await this.#serves(ctx, requirement, step))) serving.push(step);
    }
    return serving;
  }

  async #siblings(ctx: StepContext, current: Current): Promise<Step[]> {
    current.siblings ??= await this.#serving(ctx, current.requirement, current.step);
    return current.siblings;
  }

  /** `lockedBySettle`: the failure was counted when its try was taken, and settled (whether that locked the account). */
  async #factorFailed(ctx: StepContext, stepId: string, error: AppError, lockedBySettle: boolean | undefined): Promise<boolean> {
    const user = ctx.user!;
    await this.audit.record({ ...ctx.audit, type: `login.${stepId}`, outcome: 'failure', subject: user.id, details: { reason: error.code } });
    if (lockedBySettle ?? (await this.lockout.recordFailure(user.id, ctx.audit))) return true;
    // The page that follows says how many tries are left: from the count as it is now.
    ctx.user = (await this.users.findById(user.id)) ?? user;
    return false;
  }

  /** No try left to weigh a secret on: the account is locked by now (the flow ends), or, rarely, its count moved meanwhile. */
  async #noTryLeft(ctx: StepContext, current: Current, form: Record<string, string>): Promise<EngineOutcome> {
    const user = (await this.users.findById(ctx.user!.id)) ?? ctx.user!;
    if (this.lockout.isLocked(user)) throw new AppError('login.locked');
    ctx.user = user;
    return this.#render(ctx, current, { error: new AppError('login.tries_under_way') }, form);
  }

  async #finish(ctx: StepContext): Promise<EngineOutcome> {
    const accountId = ctx.state.accountId;
    if (!accountId) throw new AppError('flow.expired');
    const { acr, amr } = assess(ctx.state.proofs);
    if (!meets(acr, ctx.required)) throw new AppError('flow.unmet');
    if (!(await this.lockout.recordSuccess(accountId))) {
      // Locked or disabled since this request began (an administrator, or failures elsewhere).
      await this.audit.record({ ...ctx.audit, type: 'login.denied', outcome: 'failure', subject: accountId, details: { reason: 'locked_or_disabled' } });
      const user = await this.users.findById(accountId);
      throw new AppError(user && user.status === 'active' && this.lockout.isLocked(user) ? 'login.locked' : 'flow.expired');
    }
    await this.audit.record({ ...ctx.audit, type: 'login.success', outcome: 'success', subject: accountId, details: { amr, acr: acr ?? null } });
    return { kind: 'done', accountId, proofs: ctx.state.proofs, at: this.clock.now() };
  }

  #expected(err: unknown): AppError {
    if (err instanceof AppError) return err;
    throw err;
  }
}
