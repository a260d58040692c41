// The sign-in flow as data: a password, then a second factor, then required actions (a new password
// in place of one an administrator set, a soft token, security questions).
// A new factor is a new step listed here; the engine does not change.
import type { Services } from '../services.js';
import { EnrolTokenStep } from './enrol/enrol-token.step.js';
import { TokenSetup } from './enrol/token-setup.js';
import { FlowEngine } from './flow-engine.js';
import { NewPasswordStep } from './new-password/new-password.step.js';
import { PasskeyLoginService } from '../passkeys/passkey-login.service.js';
import { EnrolPasskeyStep } from './passkey/enrol-passkey.step.js';
import { PasskeyStep } from './passkey/passkey.step.js';
import { PasswordStep } from './password/password.step.js';
import { PinStep } from './pin/pin.step.js';
import { EnrolQuestionsStep } from './questions/enrol-questions.step.js';
import { RecoverTokenStep } from './recover/recover-token.step.js';
import type { Requirement } from './step.js';
import { TotpStep } from './totp/totp.step.js';

export const loginFlow: Requirement[] = [
  // The password, or a passkey alone (passwordless: it names the account).
  { id: 'first-factor', steps: ['password', 'passkey'], identifies: true },
  // Until the level the application (or the request) needs is reached: a passkey when the account has
  // one, the soft token when it has an active one, else a one-time PIN; recovery when the token is lost.
  { id: 'second-factor', steps: ['passkey', 'totp', 'pin', 'recover'], untilLevel: true },
  // A password an administrator set is replaced by the user's own.
  { id: 'password-change', steps: ['new-password'], optional: true },
  // A soft token or a passkey (offered first on the enrolment page).
  { id: 'enrolment', steps: ['enrol-token', 'enrol-passkey'], optional: true },
  { id: 'questions', steps: ['enrol-questions'], optional: true },
];

export function createLoginEngine(s: Services): FlowEngine {
  // Live policy objects: administrator settings change them in place.
  const { tokens: policy } = s.config;
  const setup = new TokenSetup(s.tokens, s.activations);
  const totp = new TotpStep(s.tokens, s.tokenVerifier, s.questions, policy);
  const pin = new PinStep(s.pins, s.tokens, s.config.pin, policy);
  const enrolToken = new EnrolTokenStep(s.tokens, setup, policy, s.passkeys);
  const steps = [
    new PasswordStep(s.passwordLogin),
    new PasskeyStep(s.passkeys, new PasskeyLoginService(s.passkeys, s.users, s.lockout, s.ipLimiter, s.audit), [totp, pin]),
    totp,
    pin,
    new RecoverTokenStep(s.questions, s.tokens, s.notices, policy, s.config.recovery),
    enrolToken,
    new EnrolPasskeyStep(s.passkeys, (ctx) => enrolToken.available(ctx)),
    new EnrolQuestionsStep(s.questions, policy),
    new NewPasswordStep(s.users, s.userAdmin, s.config.password),
  ];
  return new FlowEngine(steps, loginFlow, s.users, s.lockout, s.audit, s.clientRules, s.clock);
}
