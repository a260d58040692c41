// The contract every login step fulfils, in the manner of a Keycloak authenticator:
// show the challenge, handle the answer, report the factor proved.
import type { Level } from '../authenticators/assurance.js';
import type { AuthenticatorKind, Proof } from '../authenticators/registry.js';
import type { AuditContext } from '../audit/audit.service.js';
import type { ClientRule } from '../clients/client-rule.service.js';
import type { MessageCode } from '../errors/messages.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';

export interface FlowState {
  accountId?: string;
  /** What was proven so far, in order (the assurance is computed from these). */
  proofs: Proof[];
  /** Requirements satisfied so far, by id. */
  completed: string[];
  /** The step the user picked for a requirement ("send me a PIN instead"). */
  choices: Record<string, string>;
  /** The step whose `enter` ran last, so it runs once per arrival. */
  entered?: string;
  /** Each step's own scratch space, by step id. */
  data: Record<string, Record<string, unknown>>;
}

export interface StepContext {
  uid: string;
  clientId: string;
  state: FlowState;
  /** The account once the first factor has named it. */
  user?: UserEntity;
  /** The application's rule (who may use it, the minimum level). */
  rule: ClientRule;
  /** The level this sign-in must reach: the rule's, or more when the request asks for it. */
  required: Level;
  audit: AuditContext;
  /** Facts about the account asked in this request (see `once`). */
  facts: Map<string, Promise<unknown>>;
}

/**
 * A fact several steps ask about the account (has it an active soft token?), asked of the database
 * once per request. The engine forgets them after a step's submit, which may change them; a step's
 * entry that changes one sets it anew (`ctx.facts.set(FACT.codesLeft, …)`).
 */
export function once<T>(ctx: StepContext, key: string, ask: () => Promise<T>): Promise<T> {
  let known = ctx.facts.get(key) as Promise<T> | undefined;
  if (!known) {
    known = ask();
    ctx.facts.set(key, known);
  }
  return known;
}

/** The facts every step may ask, by one name each. */
export const FACT = { activeToken: 'token.active', passkey: 'passkey.any', answers: 'answers.enough', codesLeft: 'codes.remaining' } as const;

export const facts = {
  hasActiveToken: (ctx: StepContext, tokens: { hasActive(userId: string): Promise<boolean> }) => once(ctx, FACT.activeToken, () => tokens.hasActive(ctx.user!.id)),
  hasPasskey: (ctx: StepContext, passkeys: { has(userId: string): Promise<boolean> }) => once(ctx, FACT.passkey, () => passkeys.has(ctx.user!.id)),
  hasAnswers: (ctx: StepContext, questions: { hasEnough(userId: string): Promise<boolean> }) => once(ctx, FACT.answers, () => questions.hasEnough(ctx.user!.id)),
  codesLeft: (ctx: StepContext, codes: { remaining(userId: string): Promise<number> }) => once(ctx, FACT.codesLeft, () => codes.remaining(ctx.user!.id)),
};

export interface Notice {
  code: MessageCode;
  params?: Record<string, string | number>;
}

export interface StepView {
  template: string;
  data: Record<string, unknown>;
}

export type StepResult =
  /** `settles`: the requirement is done even below its level (the sign-in's `acr` then says so). */
  | { kind: 'proven'; proof?: Proof; accountId?: string; settles?: boolean }
  | { kind: 'stay'; notice?: Notice }
  | { kind: 'switch'; to: string };

export interface Step {
  readonly id: string;
  /** The authenticator this step proves, if any: the engine offers it only where it helps reach the level. */
  readonly proves?: AuthenticatorKind;
  /** Whether this step can serve this account now (e.g. it has a mobile number or a token). */
  available(ctx: StepContext): Promise<boolean>;
  /** Runs once when the step becomes current (e.g. sends a PIN). */
  enter?(ctx: StepContext): Promise<Notice | void>;
  /** `submitted`: after a failed submit, what the user typed (a page may show it again). */
  view(ctx: StepContext, submitted?: Record<string, string>): Promise<StepView>;
  /** What this step shows on the page of another step of the same requirement (a link, a button). */
  offer?(ctx: StepContext): Promise<Record<string, unknown>>;
  submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult>;
  /**
   * Whether this submit weighs a secret that only the account's lockout limits (security answers):
   * the engine then takes a try on the account before the step weighs it (LockoutService.take).
   */
  takesTry?(ctx: StepContext, form: Record<string, string>): boolean;
}

/** A flow is data: requirements in order, each met by one of its steps. */
export interface Requirement {
  id: string;
  steps: string[];
  /** A required action (e.g. enrolment): satisfied when none of its steps applies. */
  optional?: boolean;
  /** Names the account: satisfied once it is known (a step-up starts with it known). */
  identifies?: boolean;
  /** Satisfied as soon as the sign-in reaches its required level (second factors, step-up). */
  untilLevel?: boolean;
}

export const emptyFlowState = (): FlowState => ({ proofs: [], completed: [], choices: {}, data: {} });
