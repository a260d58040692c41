// The flow engine with fake steps, fake services and the test clock: which step it asks for, what
// counts towards the lockout, how a level is reached, stepped up to, or found out of reach.
import { describe, expect, it } from '@jest/globals';
import type { AuditService } from '../../src/audit/audit.service.js';
import type { Level } from '../../src/authenticators/assurance.js';
import type { AuthenticatorKind } from '../../src/authenticators/registry.js';
import type { ClientRuleService } from '../../src/clients/client-rule.service.js';
import { AppError } from '../../src/errors/app-error.js';
import { FlowEngine, type FlowSession } from '../../src/interactions/flow-engine.js';
import { emptyFlowState, facts, type FlowState, type Requirement, type Step, type StepContext, type StepResult } from '../../src/interactions/step.js';
import type { UserEntity } from '../../src/persistence/entities/user.entity.js';
import type { LockoutService } from '../../src/security/lockout.service.js';
import type { UserService } from '../../src/users/user.service.js';
import { TestClock } from '../support/test-clock.js';

const USER = { id: 'u1', status: 'active' } as UserEntity;

/** A step that proves `kind` when the form says `ok`, fails as a factor on `bad`, and as a mistake on anything else. */
class FakeStep implements Step {
  entered = 0;
  asked = 0;
  constructor(
    readonly id: string,
    readonly proves: AuthenticatorKind | undefined,
    private readonly serves: (ctx: StepContext) => boolean = (ctx) => !!ctx.user,
    private readonly extra: Partial<StepResult> = {},
  ) {}
  async available(ctx: StepContext) {
    this.asked++;
    return this.serves(ctx);
  }
  async enter() {
    this.entered++;
  }
  async view() {
    return { template: `${this.id}.njk`, data: {} };
  }
  async submit(_ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    if (form.answer === 'bad') throw new AppError('pin.invalid');
    if (form.answer !== 'ok') throw new AppError('request.invalid');
    return { kind: 'proven', ...(this.proves ? { proof: { kind: this.proves, userVerified: true } } : {}), ...this.extra } as StepResult;
  }
}

function setup(options: { minLevel?: Level; locksAfter?: number; extraSteps?: FakeStep[]; lockedAtTheEnd?: boolean } = {}) {
  const password = new FakeStep('password', 'password', (ctx) => !ctx.state.accountId, { accountId: USER.id } as Partial<StepResult>);
  const passkey = new FakeStep('passkey', 'passkey', () => true, { accountId: USER.id } as Partial<StepResult>);
  const totp = new FakeStep('totp', 'soft-token');
  const pin = new FakeStep('pin', 'sms-pin');
  const steps = [password, passkey, totp, pin, ...(options.extraSteps ?? [])];
  const flow: Requirement[] = [
    { id: 'first', steps: ['password', 'passkey'], identifies: true },
    { id: 'second', steps: ['passkey', 'totp', 'pin', ...(options.extraSteps ?? []).map((s) => s.id)], untilLevel: true },
  ];
  const failures: string[] = [];
  const audits: string[] = [];
  // The account's failure count as the store has it (recordFailure adds one).
  let failedLogins = 0;
  const users = { findById: async (id: string) => (id === USER.id ? { ...USER, failedLogins } : null) } as unknown as UserService;
  // lockedAtTheEnd: the account is locked by the time the last factor is checked (after the request's own check).
  let lockedNow = false;
  const lockout = {
    isLocked: () => lockedNow,
    triesLeftOf: (u: { failedLogins: number }) => (u.failedLogins > 0 ? 5 - u.failedLogins : null),
    recordFailure: async (id: string) => {
      failures.push(id);
      failedLogins++;
      return failures.length >= (options.locksAfter ?? 99);
    },
    // The account's row is cleared only when no lock is in force by then (UserService.signedIn).
    recordSuccess: async () => {
      lockedNow = !!options.lockedAtTheEnd;
      return !lockedNow;
    },
  } as unknown as LockoutService;
  const audit = { record: async (e: { type: string }) => void audits.push(e.type) } as unknown as AuditService;
  const rules = { get: async () => ({ allowedGroups: [], minLevel: options.minLevel ?? 'urn:idp:acr:mfa' }), allows: async () => true } as unknown as ClientRuleService;
  const clock = new TestClock();
  const engine = new FlowEngine(steps, flow, users, lockout, audit, rules, { now: clock.now });
  return { engine, failures, audits, clock, steps: { password, passkey, totp, pin } };
}

function session(state: FlowState = emptyFlowState(), requested?: Level): FlowSession {
  return { uid: 'i1', clientId: 'app', state, ip: '127.0.0.1', requested, save: async () => {} };
}

describe('flow engine', () => {
  it('asks the password, then the first step that reaches two factors, then is done with exactly what was proven', async () => {
    const { engine } = setup();
    const s = session();
    expect(await engine.show(s)).toMatchObject({ kind: 'render', stepId: 'password' });
    expect(await engine.submit(s, 'password', { answer: 'ok' })).toEqual({ kind: 'advance' });
    expect(await engine.show(s)).toMatchObject({ kind: 'render', stepId: 'passkey' });
    const done = await engine.submit(s, 'totp', { answer: 'ok' });
    expect(done).toMatchObject({ kind: 'done', accountId: USER.id, proofs: [{ kind: 'password' }, { kind: 'soft-token' }] });
  });

  it('stops after the password where the rule asks one factor', async () => {
    const { engine } = setup({ minLevel: 'urn:idp:acr:1fa' });
    const s = session();
    await engine.submit(s, 'password', { answer: 'ok' });
    expect(await engine.show(s)).toMatchObject({ kind: 'done', proofs: [{ kind: 'password' }] });
  });

  it('offers only what reaches a phishing-resistant level, and a passkey alone reaches it', async () => {
    const { engine } = setup({ minLevel: 'urn:idp:acr:phr' });
    const s = session();
    await engine.submit(s, 'password', { answer: 'ok' });
    const page = await engine.show(s);
    expect(page).toMatchObject({ kind: 'render', stepId: 'passkey' });
    expect(await engine.submit(s, 'totp', { answer: 'ok' })).toMatchObject({ kind: 'render', stepId: 'passkey', error: { code: 'flow.step_mismatch' } });

    const alone = session();
    expect(await engine.submit(alone, 'passkey', { answer: 'ok' })).toEqual({ kind: 'advance' });
    expect(await engine.show(alone)).toMatchObject({ kind: 'done', proofs: [{ kind: 'passkey', userVerified: true }] });
  });

  it('ends in flow.unmet when no step can reach the level', async () => {
    const { engine } = setup({ minLevel: 'urn:idp:acr:phr' });
    const s = session({ ...emptyFlowState(), accountId: USER.id, proofs: [{ kind: 'password' }, { kind: 'passkey' }] });
    // Already phishing-resistant: done. Without the passkey step serving, out of reach:
    expect(await engine.show(s)).toMatchObject({ kind: 'done' });
    const none = setup({ minLevel: 'urn:idp:acr:phr' });
    none.steps.passkey.available = async () => false;
    const t = session({ ...emptyFlowState(), accountId: USER.id, proofs: [{ kind: 'password' }] });
    await expect(none.engine.show(t)).rejects.toMatchObject({ code: 'flow.unmet' });
  });

  it('raises the level for a request that asks more than the rule, and steps up from the session without the password', async () => {
    const { engine } = setup({ minLevel: 'urn:idp:acr:1fa' });
    const s = session({ ...emptyFlowState(), accountId: USER.id, proofs: [{ kind: 'password' }] }, 'urn:idp:acr:mfa');
    expect(await engine.show(s)).toMatchObject({ kind: 'render', stepId: 'passkey' });
    expect(await engine.submit(s, 'pin', { answer: 'ok' })).toMatchObject({ kind: 'done', proofs: [{ kind: 'password' }, { kind: 'sms-pin' }] });
  });

  it('refuses to complete a sign-in whose account was locked while its last factor was checked', async () => {
    const { engine, audits } = setup({ lockedAtTheEnd: true });
    const s = session({ ...emptyFlowState(), accountId: USER.id, proofs: [{ kind: 'password' }] });
    await expect(engine.submit(s, 'totp', { answer: 'ok' })).rejects.toMatchObject({ code: 'login.locked' });
    expect(audits).toContain('login.denied');
    expect(audits).not.toContain('login.success');
  });

  it('counts a failed factor towards the lockout, not a mistake, and ends the flow on the failure that locks', async () => {
    const { engine, failures, audits } = setup({ locksAfter: 2 });
    const s = session();
    await engine.submit(s, 'password', { answer: 'ok' });
    expect(await engine.submit(s, 'pin', { answer: 'typo' })).toMatchObject({ kind: 'render', stepId: 'pin', error: { code: 'request.invalid' } });
    expect(failures).toHaveLength(0);
    expect(await engine.submit(s, 'pin', { answer: 'bad' })).toMatchObject({ kind: 'render', error: { code: 'pin.invalid' } });
    expect(failures).toEqual([USER.id]);
    expect(audits).toContain('login.pin');
    await expect(engine.submit(s, 'pin', { answer: 'bad' })).rejects.toMatchObject({ code: 'login.locked' });
  });

  it('asks only the submitted step whether it serves, and the others when a page offers them', async () => {
    const { engine, steps } = setup();
    const s = session({ ...emptyFlowState(), accountId: USER.id, proofs: [{ kind: 'password' }] });
    await engine.submit(s, 'pin', { answer: 'typo' });
    // The page after a mistake lists what else would serve: every step was asked once.
    expect([steps.passkey.asked, steps.totp.asked, steps.pin.asked]).toEqual([1, 1, 1]);
    expect(await engine.submit(s, 'pin', { answer: 'ok' })).toMatchObject({ kind: 'done', proofs: [{ kind: 'password' }, { kind: 'sms-pin' }] });
    expect([steps.passkey.asked, steps.totp.asked, steps.pin.asked]).toEqual([1, 1, 2]);
  });

  it('refuses a submit to a step that does not serve, on the page of the one that does', async () => {
    const { engine, steps } = setup();
    const s = session({ ...emptyFlowState(), accountId: USER.id, proofs: [{ kind: 'password' }] });
    steps.totp.available = async () => false;
    expect(await engine.submit(s, 'totp', { answer: 'ok' })).toMatchObject({ kind: 'render', stepId: 'passkey', error: { code: 'flow.step_mismatch' } });
    expect(s.state.proofs).toEqual([{ kind: 'password' }]);
  });

  it('says how many tries are left from the count after this failure, not the one read before it', async () => {
    const { engine } = setup();
    const s = session();
    await engine.submit(s, 'password', { answer: 'ok' });
    const page = await engine.show(s);
    expect(page).toMatchObject({ kind: 'render', view: { data: {} } });
    expect((page as { view: { data: Record<string, unknown> } }).view.data.triesLeft).toBeNull();
    expect(await engine.submit(s, 'pin', { answer: 'bad' })).toMatchObject({ kind: 'render', stepId: 'pin', view: { data: { triesLeft: 4 } } });
    expect(await engine.submit(s, 'pin', { answer: 'bad' })).toMatchObject({ kind: 'render', view: { data: { triesLeft: 3 } } });
  });

  it('runs a step\'s entry once per arrival, not on every reload', async () => {
    const { engine, steps } = setup();
    const s = session({ ...emptyFlowState(), accountId: USER.id, proofs: [{ kind: 'password' }] });
    steps.passkey.available = async () => false;
    steps.totp.available = async () => false;
    await engine.show(s);
    await engine.show(s);
    expect(steps.pin.entered).toBe(1);
  });

  it('fails at once when a step settles the requirement below the level', async () => {
    // Like the recovery path: it declares no single proof up front, and reports the questions when done.
    const settle = new FakeStep('recover', undefined, (ctx) => !!ctx.user, { settles: true, proof: { kind: 'security-questions' } } as Partial<StepResult>);
    const { engine } = setup({ extraSteps: [settle] });
    const s = session({ ...emptyFlowState(), accountId: USER.id, proofs: [{ kind: 'password' }] });
    await expect(engine.submit(s, 'recover', { answer: 'ok' })).rejects.toMatchObject({ code: 'flow.unmet' });
  });

  it('never runs a later step before the account is known', async () => {
    const { engine } = setup();
    const s = session();
    expect(await engine.submit(s, 'pin', { answer: 'ok' })).toMatchObject({ kind: 'render', stepId: 'password', error: { code: 'flow.step_mismatch' } });
    expect(s.state.proofs).toEqual([]);
  });

  it('asks a fact about the account once per request, and again after a step\'s submit may have changed it', async () => {
    const asked: string[] = [];
    const tokens = { hasActive: async (id: string) => (asked.push(id), false) };
    // Two steps that both serve only an account without an active soft token.
    const tokenless = (id: string) => {
      const step = new FakeStep(id, id === 'pin' ? 'sms-pin' : 'mail-pin');
      step.available = async (ctx: StepContext) => !!ctx.user && !(await facts.hasActiveToken(ctx, tokens));
      return step;
    };
    const { engine } = setup({ extraSteps: [tokenless('mail'), tokenless('sms')] });
    const s = session({ ...emptyFlowState(), accountId: USER.id, proofs: [{ kind: 'password' }] });
    await engine.show(s);
    expect(asked).toEqual([USER.id]);
    await engine.submit(s, 'mail', { answer: 'typo' });
    // Once to take the submit, once more for the page after it.
    expect(asked).toEqual([USER.id, USER.id, USER.id]);
  });

  it('stamps the end of the sign-in with the clock it is given', async () => {
    const { engine, clock } = setup({ minLevel: 'urn:idp:acr:1fa' });
    clock.tick(3_600_000);
    const s = session();
    await engine.submit(s, 'password', { answer: 'ok' });
    const done = await engine.show(s);
    expect(done.kind === 'done' && done.at).toBeGreaterThanOrEqual(Date.now() + 3_599_000);
  });
});
