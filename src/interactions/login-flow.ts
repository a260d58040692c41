// The sign-in flow as data: a password, then a second factor. Later factors plug in here.
import type { Services } from '../services.js';
import { FlowEngine } from './flow-engine.js';
import { PasswordStep } from './password/password.step.js';
import { PinStep } from './pin/pin.step.js';
import type { Requirement } from './step.js';

export const loginFlow: Requirement[] = [
  { id: 'first-factor', steps: ['password'] },
  { id: 'second-factor', steps: ['pin'] },
];

export function createLoginEngine(s: Services): FlowEngine {
  const steps = [new PasswordStep(s.passwordLogin), new PinStep(s.pins, s.config.pin.emailAllowed)];
  return new FlowEngine(steps, loginFlow, s.users, s.lockout, s.audit);
}
