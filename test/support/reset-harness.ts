// Password reset link tests: a server with real SMTP and an SMS gateway stand-in, a clock the tests
// move, people to reset, and the link an administrator has e-mailed them.
import { UserActions } from '../../src/admin/actions/user.actions.js';
import { mailText } from './mail-text.js';
import { SmsCapture } from './sms-capture.js';
import { SmtpCapture } from './smtp-capture.js';
import { ServerHarness } from './server-harness.js';
import { TestClock } from './test-clock.js';
import { startTestServer, type TestServer } from './test-server.js';

export const MAX_PINS = 3;

export class ResetHarness extends ServerHarness {
  #people = 0;

  private constructor(
    server: TestServer,
    smtp: SmtpCapture,
    readonly sms: SmsCapture,
    clock: TestClock,
  ) {
    super(server, smtp, clock);
  }

  static async start(): Promise<ResetHarness> {
    const smtp = new SmtpCapture();
    const sms = new SmsCapture();
    const clock = new TestClock();
    const server = await startTestServer({
      env: {
        SMTP_URL: await smtp.start(),
        SMS_WEBHOOK_URL: await sms.start(),
        PIN_RESEND_COOLDOWN: '0',
        PIN_MAX_ATTEMPTS: String(MAX_PINS),
        LOCKOUT_THRESHOLD: '10',
        // Staff sign in to the console with a soft token.
        REQUIRE_SOFT_TOKEN: 'true',
      },
      overrides: { clock: { now: clock.now } },
    });
    return new ResetHarness(server, smtp, sms, clock);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.sms.stop();
  }

  /** A new account (with a mobile number unless `mobile` is false) and its password. */
  async person(mobile = true) {
    const n = ++this.#people;
    const username = `reset${String(n).padStart(3, '0')}`;
    const password = `${username} password 1`;
    const phone = mobile ? `+1555010${String(1000 + n)}` : undefined;
    const user = await this.server.app.services.users.create({ username, email: `${username}@example.com`, mobile: phone, password, name: `Person ${n}` });
    return { user, username, password, mobile: phone };
  }

  /** The link in the newest reset e-mail to `email` after `seen` messages. */
  async linkFrom(email: string, seen: number): Promise<string> {
    const text = mailText((await this.smtp.next(email, seen)).raw);
    const m = /(http:\/\/[^\s"<>]+\/reset-password\?token=[A-Za-z0-9_-]+)/.exec(text);
    if (!m) throw new Error(`no reset link in:\n${text}`);
    return m[1]!;
  }

  /** An administrator sends `p` a reset link; returns the link as e-mailed. */
  async sendLink(p: { user: { id: string; email: string } }): Promise<string> {
    const seen = this.smtp.messages.length;
    await new UserActions(this.server.app.services).sendResetLink({ actor: 'test-admin', role: 'admin' }, p.user.id);
    return this.linkFrom(p.user.email, seen);
  }
}
