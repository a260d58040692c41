// The login flow engine: walks the requirements in order, asks the current step to show or check
// itself, and counts a failed factor against the account. It knows no step by name.
import type { AuditService } from '../audit/audit.service.js';
import type { ClientRuleService } from '../clients/client-rule.service.js';
import { AppError } from '../errors/app-error.js';
import type { LockoutService } from '../security/lockout.service.js';
import type { UserService } from '../users/user.service.js';
import type { Factor, FlowState, Notice, Requirement, Step, StepContext, StepView } from './step.js';
import { type Clock, systemClock } from '../support/clock.js';

export interface FlowSession {
  uid: string;
  clientId: string;
  state: FlowState;
  ip: string | null;
  save(state: FlowState): Promise<void>;
}

export type EngineOutcome =
  | { kind: 'render'; stepId: string; view: StepView; notice?: Notice; error?: AppError }
  | { kind: 'advance' }
  /** `at`: epoch ms of the completed authentication (the session's auth_time). */
  | { kind: 'done'; accountId: string; factors: Factor[]; at: number };

interface Current {
  requirement: Requirement;
  step: Step;
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
    return { kind: 'render', stepId: current.step.id, view: await current.step.view(ctx), notice, error };
  }

  async submit(session: FlowSession, stepId: string, form: Record<string, string>): Promise<EngineOutcome> {
    const ctx = await this.#context(session);
    const current = await this.#current(ctx);
    if (!current) return { kind: 'advance' };
    const { step, requirement } = current;
    if (step.id !== stepId) {
      return { kind: 'render', stepId: step.id, view: await step.view(ctx), error: new AppError('flow.step_mismatch', 409) };
    }
    let result;
    try {
      result = await step.submit(ctx, form);
    } catch (err) {
      const error = this.#expected(err);
      await session.save(ctx.state);
      // A failed factor counts against the account; the failure that locks it ends the flow.
      if (ctx.user && error.status === 401 && (await this.#factorFailed(ctx, step.id, error))) throw new AppError('login.locked', 423);
      return { kind: 'render', stepId: step.id, view: await step.view(ctx), error };
    }
    switch (result.kind) {
      case 'proven':
        ctx.state.accountId ??= result.accountId;
        if (result.factor) ctx.state.factors.push(result.factor);
        ctx.state.completed.push(requirement.id);
        ctx.state.entered = undefined;
        // After a later factor, the account is known: when nothing is left, finish in this response.
        if (ctx.user && !(await this.#current(ctx))) return this.#finish(ctx);
        await session.save(ctx.state);
        return { kind: 'advance' };
      case 'switch': {
        const target = this.#steps.get(result.to);
        if (!target || !requirement.steps.includes(result.to) || !(await target.available(ctx))) throw new AppError('request.invalid');
        ctx.state.choices[requirement.id] = result.to;
        ctx.state.entered = undefined;
        await session.save(ctx.state);
        return { kind: 'advance' };
      }
      case 'stay':
        await session.save(ctx.state);
        return { kind: 'render', stepId: step.id, view: await step.view(ctx), notice: result.notice };
    }
  }

  async #context(session: FlowSession): Promise<StepContext> {
    const ctx: StepContext = {
      uid: session.uid,
      clientId: session.clientId,
      state: session.state,
      audit: { ip: session.ip, clientId: session.clientId },
      rule: await this.rules.get(session.clientId),
    };
    if (session.state.accountId) {
      const user = await this.users.findById(session.state.accountId);
      // Nothing after the first factor runs for an account that is gone, disabled or locked.
      if (!user || user.status !== 'active') throw new AppError('flow.expired', 400);
      if (this.lockout.isLocked(user)) throw new AppError('login.locked', 423);
      if (!(await this.rules.allows(session.clientId, user.id, ctx.rule))) {
        await this.audit.record({ ...ctx.audit, type: 'login.denied', outcome: 'failure', subject: user.id, details: { reason: 'rule' } });
        throw new AppError('rule.not_allowed', 403);
      }
      ctx.user = user;
      ctx.audit.actor = user.id;
    }
    return ctx;
  }

  async #current(ctx: StepContext): Promise<Current | null> {
    for (const requirement of this.flow) {
      if (ctx.state.completed.includes(requirement.id)) continue;
      const chosen = ctx.state.choices[requirement.id];
      const order = chosen ? [chosen, ...requirement.steps.filter((s) => s !== chosen)] : requirement.steps;
      for (const id of order) {
        const step = this.#steps.get(id)!;
        if (await step.available(ctx)) return { requirement, step };
      }
      if (!requirement.optional) throw new AppError('flow.no_method', 400);
    }
    return null;
  }

  async #factorFailed(ctx: StepContext, stepId: string, error: AppError): Promise<boolean> {
    const user = ctx.user!;
    await this.audit.record({ ...ctx.audit, type: `login.${stepId}`, outcome: 'failure', subject: user.id, details: { reason: error.code } });
    return this.lockout.recordFailure(user.id, ctx.audit);
  }

  async #finish(ctx: StepContext): Promise<EngineOutcome> {
    const accountId = ctx.state.accountId;
    if (!accountId) throw new AppError('flow.expired');
    await this.lockout.recordSuccess(accountId);
    await this.audit.record({ ...ctx.audit, type: 'login.success', outcome: 'success', subject: accountId, details: { amr: ctx.state.factors } });
    return { kind: 'done', accountId, factors: ctx.state.factors, at: this.clock.now() };
  }

  #expected(err: unknown): AppError {
    if (err instanceof AppError) return err;
    throw err;
  }
}
