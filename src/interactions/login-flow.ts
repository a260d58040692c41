// The sign-in flow as data: a password, then a second factor, then required actions (a new password
// in place of one an administrator set, a soft token, security questions).
// A new factor is a new step listed here; the engine does not change.
import type { Services } from '../services.js';
import { EnrolTokenStep } from './enrol/enrol-token.step.js';
import { TokenSetup } from './enrol/token-setup.js';
import { FlowEngine } from './flow-engine.js';
import { NewPasswordStep } from './new-password/new-password.step.js';
import { PasswordStep } from './password/password.step.js';
import { PinStep } from './pin/pin.step.js';
import { EnrolQuestionsStep } from './questions/enrol-questions.step.js';
import { RecoverTokenStep } from './recover/recover-token.step.js';
import type { Requirement } from './step.js';
import { TotpStep } from './totp/totp.step.js';

export const loginFlow: Requirement[] = [
  { id: 'first-factor', steps: ['password'], identifies: true },
  // Until the level the application (or the request) needs is reached: the soft token when the
  // account has an active one, else a one-time PIN; recovery when the user says the token is lost.
  { id: 'second-factor', steps: ['totp', 'pin', 'recover'], untilLevel: true },
  // A password an administrator set is replaced by the user's own.
  { id: 'password-change', steps: ['new-password'], optional: true },
  { id: 'enrolment', steps: ['enrol-token'], optional: true },
  { id: 'questions', steps: ['enrol-questions'], optional: true },
];

export function createLoginEngine(s: Services): FlowEngine {
  // Live policy objects: administrator settings change them in place.
  const { tokens: policy } = s.config;
  const setup = new TokenSetup(s.tokens, s.activations);
  const steps = [
    new PasswordStep(s.passwordLogin),
    new TotpStep(s.tokens, s.tokenVerifier, s.questions, policy),
    new PinStep(s.pins, s.tokens, s.config.pin, policy),
    new RecoverTokenStep(s.questions, s.tokens, setup, s.notices, policy),
    new EnrolTokenStep(s.tokens, setup, policy),
    new EnrolQuestionsStep(s.questions, policy),
    new NewPasswordStep(s.users, s.userAdmin, s.config.password),
  ];
  return new FlowEngine(steps, loginFlow, s.users, s.lockout, s.audit, s.clientRules, s.clock);
}
