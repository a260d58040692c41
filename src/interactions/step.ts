// The contract every login step fulfils, in the manner of a Keycloak authenticator:
// show the challenge, handle the answer, report the factor proved.
import type { AuditContext } from '../audit/audit.service.js';
import type { ClientRule } from '../clients/client-rule.service.js';
import type { MessageCode } from '../errors/messages.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';

/** RFC 8176 method references (plus `mail` for a PIN sent by e-mail). */
export type Factor = 'pwd' | 'sms' | 'mail' | 'otp' | 'kba';

export interface FlowState {
  accountId?: string;
  factors: Factor[];
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
  /** The application's rule: which second factor it accepts. */
  rule: ClientRule;
  audit: AuditContext;
}

export interface Notice {
  code: MessageCode;
  params?: Record<string, string | number>;
}

export interface StepView {
  template: string;
  data: Record<string, unknown>;
}

export type StepResult =
  | { kind: 'proven'; factor?: Factor; accountId?: string }
  | { kind: 'stay'; notice?: Notice }
  | { kind: 'switch'; to: string };

export interface Step {
  readonly id: string;
  /** Whether this step can serve this account now (e.g. it has a mobile number or a token). */
  available(ctx: StepContext): Promise<boolean>;
  /** Runs once when the step becomes current (e.g. sends a PIN). */
  enter?(ctx: StepContext): Promise<Notice | void>;
  view(ctx: StepContext): Promise<StepView>;
  submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult>;
}

/** A flow is data: requirements in order, each met by one of its steps. */
export interface Requirement {
  id: string;
  steps: string[];
  /** A required action (e.g. enrolment): satisfied when none of its steps applies. */
  optional?: boolean;
}

export const emptyFlowState = (): FlowState => ({ factors: [], completed: [], choices: {}, data: {} });
