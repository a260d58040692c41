// The one place that reads the environment: parsed and validated once, then passed around.
import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const seconds = z.coerce.number().int().min(0);

/** OWASP's argon2id configurations (memory KiB, iterations), of equal strength: a setting reaches one of them. */
export const ARGON2_MINIMUMS = [
  [47104, 1],
  [19456, 2],
  [12288, 3],
  [9216, 4],
  [7168, 5],
] as const;

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    ISSUER: z.url().optional(),
    INTERNAL_URL: z.url().optional(),
    DATA_DIR: z.string().min(1).default('data'),
    DATABASE_URL: z.string().min(1).optional(),
    SQLITE_SYNCHRONOUS: z.enum(['full', 'normal']).default('full'),
    SQLITE_BUSY_TIMEOUT: z.coerce.number().int().min(100).max(600_000).default(10_000),
    SECRET_KEY: z
      .string()
      .regex(/^[A-Za-z0-9+/=_-]{43,}$/, 'must be at least 32 bytes, base64 encoded')
      .optional(),
    TRUST_PROXY: bool.default(false),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SMTP_URL: z.string().min(1).optional(),
    MAIL_FROM: z.string().min(3).default('Identity Provider <no-reply@localhost>'),
    SMS_WEBHOOK_URL: z.url().optional(),
    SMS_WEBHOOK_TOKEN: z.string().min(1).optional(),
    DEMO: bool.optional(),
    PIN_LENGTH: z.coerce.number().int().refine((n) => n === 6 || n === 8, 'must be 6 or 8').default(6),
    PIN_TTL: seconds.min(30).default(300),
    PIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    PIN_RESEND_COOLDOWN: seconds.default(30),
    PIN_EMAIL_ALLOWED: bool.default(true),
    PIN_DELIVERY: z.enum(['sms', 'email', 'both']).default('sms'),
    PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(128).default(8),
    PASSWORD_HISTORY: z.coerce.number().int().min(0).max(24).default(5),
    PASSWORD_RESET_TTL: seconds.min(60).max(7 * 24 * 3600).default(3600),
    TEMPORARY_PASSWORD_TTL: seconds.min(300).max(30 * 24 * 3600).default(7 * 24 * 3600),
    PORTAL_REAUTH_SECONDS: seconds.min(30).max(24 * 3600).default(300),
    TOKEN_RESET_LOOK_AHEAD: z.coerce.number().int().min(1).max(5000).default(200),
    AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
    LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(100).default(5),
    LOCKOUT_DURATION: seconds.default(900),
    IP_FAILURE_LIMIT: z.coerce.number().int().min(1).default(50),
    IP_FAILURE_WINDOW: seconds.min(1).default(900),
    // OWASP's first argon2id configuration by default: more memory per guess is what slows GPUs.
    ARGON2_MEMORY_KIB: z.coerce.number().int().min(7168).max(1048576).default(47104),
    ARGON2_TIME_COST: z.coerce.number().int().min(1).max(64).default(1),
    TOTP_DIGITS: z.coerce.number().int().refine((n) => n === 6 || n === 8, 'must be 6 or 8').default(6),
    TOTP_ALGORITHM: z.enum(['SHA1', 'SHA256', 'SHA512']).default('SHA1'),
    TOTP_WINDOW: z.coerce.number().int().min(0).max(10).default(1),
    TOKEN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    TOKEN_ACTIVATION_TTL: seconds.min(60).default(7 * 24 * 3600),
    TOKEN_ACTIVATION_MAX_TRIES: z.coerce.number().int().min(1).max(20).default(5),
    REQUIRE_SOFT_TOKEN: bool.default(true),
    TOKEN_PIN_FALLBACK: bool.default(true),
    RECOVERY_REQUIRE_POSSESSION: bool.default(true),
    FORGOT_PASSWORD_QUESTIONS: bool.default(true),
    PRODUCT_NAME: z.string().trim().min(1).max(60).default('Identity Provider'),
    PRODUCT_LOGO_URL: z.string().max(500).default(''),
    DEFAULT_LOCALE: z.enum(['en', 'fr']).default('en'),
    FORGOT_PASSWORD_ACCOUNT_LIMIT: z.coerce.number().int().min(1).max(1000).default(10),
    FORGOT_PASSWORD_IP_LIMIT: z.coerce.number().int().min(1).default(30),
    FORGOT_PASSWORD_WINDOW: seconds.min(60).default(3600),
    QA_QUESTIONS: z.string().min(1).optional(),
    QA_MIN_COUNT: z.coerce.number().int().min(1).max(10).default(3),
    QA_ASK_COUNT: z.coerce.number().int().min(1).max(10).default(2),
    SESSION_TTL: seconds.min(60).default(8 * 3600),
    INTERACTION_TTL: seconds.min(60).default(1800),
    PASSKEY_RP_ID: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, 'must be a domain name').optional(),
    // Comma-separated host names, addresses or CIDR networks on private or special-use addresses that
    // the provider may call (back-channel logout, clients' jwks_uri); empty: public addresses only.
    OUTBOUND_ALLOWED_HOSTS: z.string().optional(),
    // /metrics: a bearer token, an address allowlist (IPs or CIDR networks), or both (then both must hold).
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    METRICS_ALLOW: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SECRET_KEY) {
      ctx.addIssue({ code: 'custom', path: ['SECRET_KEY'], message: 'is required in production' });
    }
    if (env.NODE_ENV === 'production' && !env.SMTP_URL && !env.SMS_WEBHOOK_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'or SMS_WEBHOOK_URL is required in production' });
    }
    if (!ARGON2_MINIMUMS.some(([memory, time]) => env.ARGON2_MEMORY_KIB >= memory && env.ARGON2_TIME_COST >= time)) {
      const rows = ARGON2_MINIMUMS.map(([memory, time]) => `${memory} KiB × ${time}`).join(', ');
      ctx.addIssue({ code: 'custom', path: ['ARGON2_MEMORY_KIB'], message: `with ARGON2_TIME_COST is weaker than OWASP's minimum (at least one of ${rows})` });
    }
  });

/** SQLite's `synchronous`: `full` syncs the log at every commit; `normal` (WAL) at checkpoints only, so a power cut may lose the last commits (never the file). */
export type Database = { type: 'sqlite'; path: string; synchronous?: 'full' | 'normal'; busyTimeoutMs?: number } | { type: 'postgres'; url: string };

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  issuer: string;
  /** Where this process reaches its own endpoints (the console's code exchange) when the issuer's public address is not reachable from inside. */
  internalUrl?: string;
  dataDir: string;
  database: Database;
  secretKey?: string;
  trustProxy: boolean;
  logLevel: string;
  delivery: { smtpUrl?: string; mailFrom: string; smsWebhookUrl?: string; smsWebhookToken?: string };
  demo: boolean;
  pin: { length: 6 | 8; ttl: number; maxAttempts: number; resendCooldown: number; emailAllowed: boolean; delivery: 'sms' | 'email' | 'both' };
  /** `temporaryTtl`: seconds an administrator-set or generated password works before the user must have replaced it. */
  password: { minLength: number; historyCount: number; temporaryTtl: number };
  /** Lifetime of an administrator's password reset link, in seconds. */
  passwordReset: { ttl: number };
  /** My Profile: a sensitive change needs a full sign-in (password + second factor) this recent, in seconds. */
  portal: { reauthSeconds: number };
  audit: { retentionDays: number };
  lockout: { threshold: number; duration: number; ipFailureLimit: number; ipFailureWindow: number };
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  ttl: { session: number; interaction: number };
  /** WebAuthn relying party: the issuer's host, or a parent domain of it (passkeys then work on its sibling hosts too). */
  passkey: { rpId: string };
  questions: { list: string[]; minCount: number; askCount: number };
  tokens: {
    digits: 6 | 8;
    algorithm: 'SHA1' | 'SHA256' | 'SHA512';
    period: number;
    window: number;
    maxFailures: number;
    resetLookAhead: number;
    activationTtl: number;
    activationMaxTries: number;
    required: boolean;
    pinFallback: boolean;
  };
  /**
   * "I have misplaced my token": a possession factor the account already had is proven after the questions.
   * "I've forgotten my password": `forgotQuestions` asks the security questions after the possession
   * factor (accounts that have them); attempts are limited per account and per address in a window.
   */
  recovery: { requirePossession: boolean; forgotQuestions: boolean; forgotAccountLimit: number; forgotIpLimit: number; forgotWindow: number };
  /** Private or special-use hosts and networks (CIDR) the provider may call; empty: public addresses only (outbound-fetch.ts). */
  outbound: { allowedHosts: string[] };
  /** Who may read /metrics; with neither set, loopback only outside production and nobody in production. */
  metrics: { token?: string; allow: string[] };
  /** The product name and logo shown on every page and used as the issuer label of authenticator apps. */
  brand: { name: string; logoUrl: string };
  /** The language of pages and messages when neither the request nor the user chose one. */
  i18n: { defaultLocale: 'en' | 'fr' };
}

export class ConfigError extends Error {}

/** Security questions offered when QA_QUESTIONS (a |-separated list) is not set. */
export const defaultQuestions = [
  'What was the name of your first pet?',
  'In what city were you born?',
  'What was the name of your first school?',
  'What is your oldest cousin\'s first name?',
  'What was the make of your first car?',
  'In what city did your parents meet?',
  'What was your childhood nickname?',
  'What is the name of the street you grew up on?',
];

function databaseFrom(url: string | undefined, dataDir: string, synchronous: 'full' | 'normal', busyTimeoutMs: number): Database {
  const sqlite = (path: string): Database => ({ type: 'sqlite', path, synchronous, ...(busyTimeoutMs !== 10_000 ? { busyTimeoutMs } : {}) });
  if (!url) return sqlite(`${dataDir}/idp.sqlite`);
  if (/^postgres(ql)?:\/\//.test(url)) return { type: 'postgres', url };
  if (url.startsWith('sqlite:')) return sqlite(url.slice('sqlite:'.length) || ':memory:');
  throw new ConfigError('DATABASE_URL must start with postgres://, postgresql:// or sqlite:');
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(clean);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const issuer = (e.ISSUER ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  const host = new URL(issuer).hostname;
  const rpId = (e.PASSKEY_RP_ID ?? host).toLowerCase();
  // A browser refuses an RP ID that is not the page's host or one of its parent domains.
  if (host !== rpId && !host.endsWith(`.${rpId}`)) throw new ConfigError(`Invalid configuration:\n  PASSKEY_RP_ID: must be the issuer's host (${host}) or a parent domain of it`);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    issuer,
    internalUrl: e.INTERNAL_URL?.replace(/\/$/, ''),
    dataDir: e.DATA_DIR,
    database: databaseFrom(e.DATABASE_URL, e.DATA_DIR, e.SQLITE_SYNCHRONOUS, e.SQLITE_BUSY_TIMEOUT),
    secretKey: e.SECRET_KEY,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    delivery: {
      smtpUrl: e.SMTP_URL,
      mailFrom: e.MAIL_FROM,
      smsWebhookUrl: e.SMS_WEBHOOK_URL,
      smsWebhookToken: e.SMS_WEBHOOK_TOKEN,
    },
    demo: e.DEMO ?? e.NODE_ENV === 'development',
    pin: {
      length: e.PIN_LENGTH as 6 | 8,
      ttl: e.PIN_TTL,
      maxAttempts: e.PIN_MAX_ATTEMPTS,
      resendCooldown: e.PIN_RESEND_COOLDOWN,
      emailAllowed: e.PIN_EMAIL_ALLOWED,
      delivery: e.PIN_DELIVERY,
    },
    password: { minLength: e.PASSWORD_MIN_LENGTH, historyCount: e.PASSWORD_HISTORY, temporaryTtl: e.TEMPORARY_PASSWORD_TTL },
    passwordReset: { ttl: e.PASSWORD_RESET_TTL },
    portal: { reauthSeconds: e.PORTAL_REAUTH_SECONDS },
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
    lockout: {
      threshold: e.LOCKOUT_THRESHOLD,
      duration: e.LOCKOUT_DURATION,
      ipFailureLimit: e.IP_FAILURE_LIMIT,
      ipFailureWindow: e.IP_FAILURE_WINDOW,
    },
    argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST, parallelism: 1 },
    ttl: { session: e.SESSION_TTL, interaction: e.INTERACTION_TTL },
    passkey: { rpId },
    questions: {
      list: e.QA_QUESTIONS ? e.QA_QUESTIONS.split('|').map((q) => q.trim()).filter(Boolean) : defaultQuestions,
      minCount: e.QA_MIN_COUNT,
      askCount: Math.min(e.QA_ASK_COUNT, e.QA_MIN_COUNT),
    },
    tokens: {
      digits: e.TOTP_DIGITS as 6 | 8,
      algorithm: e.TOTP_ALGORITHM,
      period: 30,
      window: e.TOTP_WINDOW,
      maxFailures: e.TOKEN_MAX_FAILURES,
      resetLookAhead: e.TOKEN_RESET_LOOK_AHEAD,
      activationTtl: e.TOKEN_ACTIVATION_TTL,
      activationMaxTries: e.TOKEN_ACTIVATION_MAX_TRIES,
      required: e.REQUIRE_SOFT_TOKEN,
      pinFallback: e.TOKEN_PIN_FALLBACK,
    },
    recovery: {
      requirePossession: e.RECOVERY_REQUIRE_POSSESSION,
      forgotQuestions: e.FORGOT_PASSWORD_QUESTIONS,
      forgotAccountLimit: e.FORGOT_PASSWORD_ACCOUNT_LIMIT,
      forgotIpLimit: e.FORGOT_PASSWORD_IP_LIMIT,
      forgotWindow: e.FORGOT_PASSWORD_WINDOW,
    },
    outbound: { allowedHosts: allowedHosts(e.OUTBOUND_ALLOWED_HOSTS) },
    metrics: { token: e.METRICS_TOKEN, allow: metricsAllow(e.METRICS_ALLOW) },
    brand: { name: e.PRODUCT_NAME, logoUrl: e.PRODUCT_LOGO_URL },
    i18n: { defaultLocale: e.DEFAULT_LOCALE },
  };
}

/** OUTBOUND_ALLOWED_HOSTS: host names, IP addresses or CIDR networks, comma or space separated. */
function allowedHosts(value: string | undefined): string[] {
  const entries = (value ?? '').split(/[\s,]+/).map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const ipVersion = isIP(address!);
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (ipVersion === 6 ? 128 : 32) && ipVersion !== 0);
    const validHost = ipVersion !== 0 || (bits === undefined && /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(address!));
    if (extra !== undefined || !validBits || !validHost) {
      throw new ConfigError(`Invalid configuration:\n  OUTBOUND_ALLOWED_HOSTS: "${entry}" is not a host name, an IP address or a CIDR network`);
    }
  }
  return entries;
}

/** METRICS_ALLOW: IP addresses or CIDR networks, comma or space separated (no host names: the check is on the caller's address). */
function metricsAllow(value: string | undefined): string[] {
  const entries = (value ?? '').split(/[\s,]+/).map((a) => a.trim().toLowerCase()).filter(Boolean);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const ipVersion = isIP(address!);
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (ipVersion === 6 ? 128 : 32));
    if (ipVersion === 0 || extra !== undefined || !validBits) {
      throw new ConfigError(`Invalid configuration:\n  METRICS_ALLOW: "${entry}" is not an IP address or a CIDR network`);
    }
  }
  return entries;
}
