// The settings an administrator may change: each with its bounds and the live policy value it
// overrides. Defaults come from the configuration (environment).
import { z } from 'zod';
import type { Config } from '../config/config.js';

interface Setting<T> {
  label: string;
  schema: z.ZodType<T>;
  get(c: Config): T;
  set(c: Config, v: T): void;
}

const days = 24 * 3600;
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const setting = <T>(s: Setting<T>): Setting<unknown> => s as Setting<unknown>;

export const settingsRegistry = {
  'otp.digits': setting({ label: 'OTP digits', schema: z.union([z.literal(6), z.literal(8)]), get: (c) => c.tokens.digits, set: (c, v) => (c.tokens.digits = v) }),
  'otp.algorithm': setting({ label: 'OTP algorithm', schema: z.enum(['SHA1', 'SHA256', 'SHA512']), get: (c) => c.tokens.algorithm, set: (c, v) => (c.tokens.algorithm = v) }),
  'token.activationTtl': setting({ label: 'Activation lifetime (seconds)', schema: int(60, 90 * days), get: (c) => c.tokens.activationTtl, set: (c, v) => (c.tokens.activationTtl = v) }),
  'token.maxTimeSteps': setting({ label: 'Max time steps either side', schema: int(0, 10), get: (c) => c.tokens.window, set: (c, v) => (c.tokens.window = v) }),
  'token.resetLookAhead': setting({ label: 'Reset look-ahead (time steps)', schema: int(1, 5000), get: (c) => c.tokens.resetLookAhead, set: (c, v) => (c.tokens.resetLookAhead = v) }),
  'token.maxFailures': setting({ label: 'Wrong codes before a token locks', schema: int(1, 100), get: (c) => c.tokens.maxFailures, set: (c, v) => (c.tokens.maxFailures = v) }),
  'token.required': setting({ label: 'Soft token required', schema: z.boolean(), get: (c) => c.tokens.required, set: (c, v) => (c.tokens.required = v) }),
  'token.pinFallback': setting({ label: 'Offer a PIN instead of the soft token', schema: z.boolean(), get: (c) => c.tokens.pinFallback, set: (c, v) => (c.tokens.pinFallback = v) }),
  'pin.length': setting({ label: 'One-time PIN length', schema: z.union([z.literal(6), z.literal(8)]), get: (c) => c.pin.length, set: (c, v) => (c.pin.length = v) }),
  'pin.ttl': setting({ label: 'One-time PIN lifetime (seconds)', schema: int(30, 3600), get: (c) => c.pin.ttl, set: (c, v) => (c.pin.ttl = v) }),
  'pin.delivery': setting({ label: 'One-time PIN delivery', schema: z.enum(['sms', 'email', 'both']), get: (c) => c.pin.delivery, set: (c, v) => (c.pin.delivery = v) }),
  'pin.emailAllowed': setting({ label: 'E-mail PIN allowed', schema: z.boolean(), get: (c) => c.pin.emailAllowed, set: (c, v) => (c.pin.emailAllowed = v) }),
  'lockout.threshold': setting({ label: 'Failures before lockout', schema: int(1, 100), get: (c) => c.lockout.threshold, set: (c, v) => (c.lockout.threshold = v) }),
  'lockout.duration': setting({ label: 'Lockout lifetime (seconds, 0 = until unlocked)', schema: int(0, 365 * days), get: (c) => c.lockout.duration, set: (c, v) => (c.lockout.duration = v) }),
  'password.minLength': setting({ label: 'Password minimum length', schema: int(8, 128), get: (c) => c.password.minLength, set: (c, v) => (c.password.minLength = v) }),
  'password.historyCount': setting({ label: 'Password history (0 = off)', schema: int(0, 24), get: (c) => c.password.historyCount, set: (c, v) => (c.password.historyCount = v) }),
  'recovery.forgotQuestions': setting({ label: 'Forgotten password: also ask the security questions', schema: z.boolean(), get: (c) => c.recovery.forgotQuestions, set: (c, v) => (c.recovery.forgotQuestions = v) }),
  'qa.askCount': setting({ label: 'Security questions asked', schema: int(1, 10), get: (c) => c.questions.askCount, set: (c, v) => (c.questions.askCount = v) }),
  'session.ttl': setting({ label: 'Sign-in session lifetime (seconds)', schema: int(60, 30 * days), get: (c) => c.ttl.session, set: (c, v) => (c.ttl.session = v) }),
  'brand.name': setting({ label: 'Product name', schema: z.string().trim().min(1).max(60), get: (c) => c.brand.name, set: (c, v) => (c.brand.name = v) }),
  'brand.logoUrl': setting({ label: 'Logo address (https:// or a path; empty for none)', schema: z.union([z.literal(''), z.string().max(500).regex(/^(https:\/\/|\/)[^\s"'<>]*$/)]), get: (c) => c.brand.logoUrl, set: (c, v) => (c.brand.logoUrl = v) }),
  'i18n.defaultLocale': setting({ label: 'Default language', schema: z.enum(['en', 'fr']), get: (c) => c.i18n.defaultLocale, set: (c, v) => (c.i18n.defaultLocale = v) }),
  'audit.retentionDays': setting({ label: 'Audit log retention (days)', schema: int(1, 3650), get: (c) => c.audit.retentionDays, set: (c, v) => (c.audit.retentionDays = v) }),
} as const;

export type SettingKey = keyof typeof settingsRegistry;
export const settingKeys = Object.keys(settingsRegistry) as SettingKey[];
