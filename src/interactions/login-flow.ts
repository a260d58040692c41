// The sign-in flow as data: a password, then a second factor, then required actions.
// A new factor is a new step listed here; the engine does not change.
import type { Services } from '../services.js';
import { EnrolTokenStep } from './enrol/enrol-token.step.js';
import { FlowEngine } from './flow-engine.js';
import { PasswordStep } from './password/password.step.js';
import { PinStep } from './pin/pin.step.js';
import type { Requirement } from './step.js';
import { TotpStep } from './totp/totp.step.js';

export const loginFlow: Requirement[] = [
  { id: 'first-factor', steps: ['password'] },
  // The soft token when the account has an active one, else a one-time PIN.
  { id: 'second-factor', steps: ['totp', 'pin'] },
  { id: 'enrolment', steps: ['enrol-token'], optional: true },
];

export function createLoginEngine(s: Services): FlowEngine {
  const steps = [
    new PasswordStep(s.passwordLogin),
    new TotpStep(s.tokens, s.tokenVerifier, s.config.tokens.pinFallback),
    new PinStep(s.pins, s.config.pin.emailAllowed),
    new EnrolTokenStep(s.tokens, s.activations, s.config.tokens.required),
  ];
  return new FlowEngine(steps, loginFlow, s.users, s.lockout, s.audit);
}
