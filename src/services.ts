// Builds the service graph once; pages, the CLI and tests all use these same objects.
import type nunjucks from 'nunjucks';
import type { DataSource } from 'typeorm';
import { join } from 'node:path';
import { AuditService } from './audit/audit.service.js';
import { SuperadminGuard } from './users/superadmin-guard.js';
import { ClientRuleService } from './clients/client-rule.service.js';
import { ClientService } from './clients/client.service.js';
import { GroupService } from './groups/group.service.js';
import { SettingsService } from './settings/settings.service.js';
import type { Config } from './config/config.js';
import { DeliveryService } from './delivery/delivery.service.js';
import type { MailChannel, SmsChannel } from './delivery/message.js';
import { OutboxChannel } from './delivery/outbox.channel.js';
import { SmsWebhookChannel } from './delivery/sms-webhook.channel.js';
import { SmtpChannel } from './delivery/smtp.channel.js';
import { SecurityNoticeService } from './notices/security-notice.service.js';
import { SessionRevoker } from './provider/session-revoker.js';
import { OneTimePinService } from './pins/one-time-pin.service.js';
import { passkeySettings } from './passkeys/passkey-settings.js';
import { PasskeyService } from './passkeys/passkey.service.js';
import { SecurityQuestionService } from './questions/security-question.service.js';
import { KeyService } from './provider/key.service.js';
import { LockoutService } from './security/lockout.service.js';
import { loadMasterKey } from './security/master-key.js';
import { RateLimiter } from './security/rate-limiter.js';
import { SecretBox } from './security/secret-box.js';
import { SecretService } from './security/secret.service.js';
import { type Clock, systemClock } from './support/clock.js';
import { ActivationService } from './tokens/activation.service.js';
import { SoftTokenService } from './tokens/soft-token.service.js';
import { TokenLifecycleService } from './tokens/token-lifecycle.service.js';
import { TokenVerifier } from './tokens/token-verifier.js';
import { PasswordHasher } from './users/password-hasher.js';
import { PasswordLoginService } from './users/password-login.service.js';
import { PasswordResetService } from './users/password-reset.service.js';
import { UserAdminService } from './users/user-admin.service.js';
import { UserService } from './users/user.service.js';
import { AccountSessions } from './provider/account-sessions.js';
import { ResourceServerService } from './resources/resource-server.service.js';
import { ForgotPasswordService } from './recovery/forgot-password.service.js';
import { RecoveryCodeService } from './recovery/recovery-code.service.js';

export interface Services {
  config: Config;
  ds: DataSource;
  clock: Clock;
  box: SecretBox;
  secrets: SecretService;
  audit: AuditService;
  hasher: PasswordHasher;
  users: UserService;
  lockout: LockoutService;
  ipLimiter: RateLimiter;
  passwordLogin: PasswordLoginService;
  delivery: DeliveryService;
  outbox?: OutboxChannel;
  pins: OneTimePinService;
  clients: ClientService;
  resources: ResourceServerService;
  keys: KeyService;
  tokens: SoftTokenService;
  tokenVerifier: TokenVerifier;
  activations: ActivationService;
  notices: SecurityNoticeService;
  tokenLifecycle: TokenLifecycleService;
  questions: SecurityQuestionService;
  settings: SettingsService;
  userAdmin: UserAdminService;
  passwordResets: PasswordResetService;
  groups: GroupService;
  clientRules: ClientRuleService;
  sessions: SessionRevoker;
  accountSessions: AccountSessions;
  passkeys: PasskeyService;
  recoveryCodes: RecoveryCodeService;
  forgotPassword: ForgotPasswordService;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  clock?: Clock;
  mail?: MailChannel;
  sms?: SmsChannel;
}

export async function createServices(config: Config, ds: DataSource, views: nunjucks.Environment, o: ServiceOverrides = {}): Promise<Services> {
  const clock = o.clock ?? systemClock;
  const box = new SecretBox(loadMasterKey(config));
  const secrets = new SecretService(ds, box, clock);
  const audit = new AuditService(ds, clock);
  const hasher = new PasswordHasher(config.argon2);
  const users = new UserService(ds, clock, hasher, audit);
  const lockout = new LockoutService(users, clock, audit, config.lockout);
  const ipLimiter = new RateLimiter(ds, clock, config.lockout.ipFailureLimit, config.lockout.ipFailureWindow);

  const { smtpUrl, mailFrom, smsWebhookUrl, smsWebhookToken } = config.delivery;
  const needsOutbox = (!o.mail && !smtpUrl) || (!o.sms && !smsWebhookUrl);
  const outbox = needsOutbox ? new OutboxChannel(join(config.dataDir, 'outbox')) : undefined;
  const smtp = smtpUrl && !o.mail ? new SmtpChannel(smtpUrl, mailFrom) : undefined;
  const mail = o.mail ?? smtp ?? outbox!;
  const sms = o.sms ?? (smsWebhookUrl ? new SmsWebhookChannel(smsWebhookUrl, smsWebhookToken) : outbox!);
  const delivery = new DeliveryService(views, mail, sms, audit, config.issuer);

  const pins = new OneTimePinService(ds, clock, delivery, audit, config.pin, await secrets.bytes('pin-pepper'));
  const notices = new SecurityNoticeService(delivery, clock);
  const tokens = new SoftTokenService(ds, clock, box, audit, config.tokens, config.brand, users, notices);
  const guard = new SuperadminGuard(ds);
  const settings = new SettingsService(ds, clock, audit, config);
  await settings.load();
  const groups = new GroupService(ds, clock, audit);
  const tokenVerifier = new TokenVerifier(clock, tokens, audit, config.tokens, config.lockout);
  const activations = new ActivationService(ds, clock, box, tokens, users, delivery, audit, config.tokens, config.issuer);
  const sessions = new SessionRevoker(ds, users, audit, clock);
  const clients = new ClientService(ds, clock, audit, box);
  const userAdmin = new UserAdminService(ds, users, clock, hasher, lockout, guard, notices, audit, config.password, sessions);
  const passkeys = new PasskeyService(ds, clock, audit, passkeySettings(config), await secrets.bytes('passkey-challenge-key'), { policy: config.tokens, tokens, guard, notices });
  const questions = new SecurityQuestionService(ds, clock, hasher, audit, config.questions);
  const recoveryCodes = new RecoveryCodeService(ds, clock, audit, notices, await secrets.bytes('recovery-code-key'));
  const { recovery } = config;
  const forgotLimiters = { account: new RateLimiter(ds, clock, recovery.forgotAccountLimit, recovery.forgotWindow), ip: new RateLimiter(ds, clock, recovery.forgotIpLimit, recovery.forgotWindow) };
  const forgotPassword = new ForgotPasswordService(users, lockout, tokens, tokenVerifier, passkeys, recoveryCodes, pins, questions, userAdmin, audit, forgotLimiters, recovery, config.pin);
  return {
    config,
    ds,
    clock,
    box,
    secrets,
    audit,
    hasher,
    users,
    lockout,
    ipLimiter,
    passwordLogin: new PasswordLoginService(users, hasher, lockout, ipLimiter, audit, clock),
    delivery,
    outbox,
    pins,
    clients,
    resources: new ResourceServerService(ds, clock, audit, clients),
    keys: new KeyService(ds, box, clock),
    tokens,
    tokenVerifier,
    activations,
    notices,
    tokenLifecycle: new TokenLifecycleService(tokens, activations, notices, audit, config.tokens, guard, passkeys),
    questions,
    settings,
    userAdmin,
    passwordResets: new PasswordResetService(ds, clock, users, userAdmin, pins, delivery, lockout, audit, config),
    groups,
    clientRules: new ClientRuleService(ds, clock, groups, audit),
    sessions,
    accountSessions: new AccountSessions(ds, clock),
    passkeys,
    recoveryCodes,
    forgotPassword,
    async close() {
      smtp?.close();
      if (ds.isInitialized) await ds.destroy();
    },
  };
}
