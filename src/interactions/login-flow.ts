// The sign-in flow as data: a password, then a second factor, then required actions (a new password
// in place of one an administrator set, a soft token, security questions).
// A new factor is a new step listed here; the engine does not change.
import type { Services } from '../services.js';
import { EnrolTokenStep } from './enrol/enrol-token.step.js';
import { TokenSetup } from '../tokens/token-setup.js';
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
import { ForgotPasswordStep } from './forgot-password/forgot-password.step.js';
import { RecoveryCodeStep } from './recovery-code/recovery-code.step.js';
import { SaveRecoveryCodesStep } from './recovery-code/save-recovery-codes.step.js';

export const loginFlow: Requirement[] = [
  // The password, or a passkey alone (passwordless: it names the account). "I've forgotten my password"
  // leads back to the password page with a new one; it names no account and proves nothing.
  { id: 'first-factor', steps: ['password', 'passkey', 'forgot-password'], identifies: true },
  // Until the level the application (or the request) needs is reached: a passkey when the account has
  // one, the soft token when it has an active one, else a one-time PIN; a recovery code where the
  // account has one left (also after the questions of a lost token); recovery when the token is lost.
  { id: 'second-factor', steps: ['passkey', 'totp', 'pin', 'recovery-code', 'recover'], untilLevel: true },
  // A password an administrator set is replaced by the user's own.
  { id: 'password-change', steps: ['new-password'], optional: true },
  // A soft token or a passkey (offered first on the enrolment page).
  { id: 'enrolment', steps: ['enrol-token', 'enrol-passkey'], optional: true },
  { id: 'questions', steps: ['enrol-questions'], optional: true },
  // The first second factor set up in this sign-in comes with a set of recovery codes, shown once.
  { id: 'recovery-codes', steps: ['recovery-codes'], optional: true },
];

export function createLoginEngine(s: Services): FlowEngine {
  // Live policy objects: administrator settings change them in place.
  const { tokens: policy } = s.config;
  const setup = new TokenSetup(s.tokens, s.activations);
  const totp = new TotpStep(s.tokens, s.tokenVerifier, s.questions, policy);
  const pin = new PinStep(s.pins, s.tokens, s.config.pin, policy);
  const enrolToken = new EnrolTokenStep(s.tokens, setup, policy, s.passkeys);
  const passkey = new PasskeyStep(s.passkeys, new PasskeyLoginService(s.passkeys, s.users, s.lockout, s.ipLimiter, s.audit), [totp, pin]);
  const steps = [
    new PasswordStep(s.passwordLogin),
    passkey,
    new ForgotPasswordStep(s.forgotPassword, s.passkeys, s.clock, s.config),
    totp,
    pin,
    new RecoveryCodeStep(s.recoveryCodes, s.lockout, [passkey, totp, pin]),
    new RecoverTokenStep(s.questions, s.tokens, s.notices, policy, s.config.recovery, s.lockout),
    enrolToken,
    new EnrolPasskeyStep(s.passkeys, (ctx) => enrolToken.available(ctx)),
    new EnrolQuestionsStep(s.questions, policy),
    new NewPasswordStep(s.users, s.userAdmin, s.config.password),
    new SaveRecoveryCodesStep(s.recoveryCodes, s.box, (ctx) => ctx.state.completed.includes('enrolment')),
  ];
  return new FlowEngine(steps, loginFlow, s.users, s.lockout, s.audit, s.clientRules, s.clock);
}
