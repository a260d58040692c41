// My Profile tests: a server that requires a soft token, a clock the tests move, and a browser that
// signs enrolled users in at /account with their password and authenticator app.
import { expect } from '@jest/globals';
import { totpCode } from '../../src/tokens/totp.js';
import { createEnrolledUser, totpParams } from './enrolled-user.js';
import { mailText } from './mail-text.js';
import { SmtpCapture } from './smtp-capture.js';
import { ServerHarness } from './server-harness.js';
import { TestClock } from './test-clock.js';
import { startTestServer, type TestServer } from './test-server.js';
import { findForm, type Page, UserAgent } from './user-agent.js';

export const REAUTH_SECONDS = 300;

export class PortalHarness extends ServerHarness {
  private constructor(server: TestServer, smtp: SmtpCapture, clock: TestClock) {
    super(server, smtp, clock);
  }

  static async start(): Promise<PortalHarness> {
    const smtp = new SmtpCapture();
    const clock = new TestClock();
    const server = await startTestServer({
      env: { SMTP_URL: await smtp.start(), REQUIRE_SOFT_TOKEN: 'true', PORTAL_REAUTH_SECONDS: String(REAUTH_SECONDS) },
      overrides: { clock: { now: clock.now } },
    });
    return new PortalHarness(server, smtp, clock);
  }

  /** Signs in at /account (or `start`) with password and the authenticator app; returns the page reached. */
  async signIn(agent: UserAgent, username: string, secret: Uint8Array, start = `${this.server.url}/account`, password = `${username} password 1`): Promise<Page> {
    this.tick(30_000); // a fresh time step, so the code is not a replay
    const login = await agent.follow(await agent.get(start));
    const totp = await agent.follow(await agent.submit(login, '/step/password', { login: username, password }));
    return agent.follow(await agent.submit(totp, '/step/totp', { action: 'verify', code: totpCode(secret, totpParams, this.now()) }));
  }

  /** An enrolled user, signed in to My Profile. */
  async user(username: string) {
    const enrolled = await createEnrolledUser(this.server, username, this.now);
    const agent = new UserAgent();
    const page = await this.signIn(agent, username, enrolled.secret);
    return { ...enrolled, agent, page };
  }

  async post(agent: UserAgent, from: Page, action: string, fields: Record<string, string> = {}): Promise<Page> {
    const form = findForm(from.html, action, fields.action);
    return agent.follow(await agent.post(new URL(form.action, from.url).href, { ...form.hidden, ...fields }));
  }

  /** On the sign-in page after a password change: the old password is refused, the new one works. */
  async onlyNewPasswordWorks(agent: UserAgent, login: Page, username: string, newPassword: string, secret: Uint8Array): Promise<Page> {
    expect(login.html).toContain('name="password"');
    const old = await agent.submit(login, '/step/password', { login: username, password: `${username} password 1` });
    expect(old.html).toContain('The username or password is incorrect.');
    this.tick(30_000);
    const totp = await agent.follow(await agent.submit(old, '/step/password', { login: username, password: newPassword }));
    return agent.follow(await agent.submit(totp, '/step/totp', { action: 'verify', code: totpCode(secret, totpParams, this.now()) }));
  }

  mailsTo(address: string, after: number): string[] {
    return this.smtp.messages.slice(after).filter((m) => m.to.includes(address)).map((m) => mailText(m.raw));
  }
}
