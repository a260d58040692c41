// The admin console as staff use it in tests: a server whose clock the harness moves on (each sign-in
// uses a fresh authenticator-app time step), staff signed in with password and app code, forms posted.
import type { Role } from '../../src/persistence/entities/user.entity.js';
import { totpCode } from '../../src/tokens/totp.js';
import { createEnrolledUser } from './enrolled-user.js';
import { browser } from './languages.js';
import { startTestServer, type TestServer } from './test-server.js';
import { findForm, type Page, type UserAgent } from './user-agent.js';

const TOTP = { algorithm: 'SHA1' as const, digits: 6 as const, period: 30 };

/** Where the sign-in starts (the page shown after it) and the browser's Accept-Language. */
export interface ConsoleVisit {
  path?: string;
  language?: string;
}

export class ConsoleHarness {
  #offset = 0;
  /** The server's clock. */
  readonly now = () => Date.now() + this.#offset;
  server!: TestServer;

  static async start(): Promise<ConsoleHarness> {
    const harness = new ConsoleHarness();
    harness.server = await startTestServer({ env: { REQUIRE_SOFT_TOKEN: 'true' }, overrides: { clock: { now: harness.now } } });
    return harness;
  }

  close(): Promise<void> {
    return this.server?.close();
  }

  get url(): string {
    return this.server.url;
  }

  /** Signs `username` (enrolled, with `secret`) in at the console: password, then an authenticator-app code. */
  async signIn(username: string, secret: Uint8Array, { path = '/admin/users', language }: ConsoleVisit = {}): Promise<{ agent: UserAgent; page: Page }> {
    this.#offset += 30_000;
    const agent = browser(language);
    const login = await agent.follow(await agent.get(`${this.url}${path}`));
    const totp = await agent.follow(await agent.submit(login, '/step/password', { login: username, password: `${username} password 1` }));
    const page = await agent.follow(await agent.submit(totp, '/step/totp', { action: 'verify', code: totpCode(secret, TOTP, this.now()) }));
    return { agent, page };
  }

  /** A new staff member with an authenticator-app token and security questions, signed in. */
  async staff(username: string, role: Role, visit: ConsoleVisit = {}): Promise<{ agent: UserAgent; page: Page; id: string }> {
    const { user, secret } = await createEnrolledUser(this.server, username, this.now, role);
    return { ...(await this.signIn(username, secret, visit)), id: user.id };
  }

  /** Posts the form of `from` whose action is `action`, with `fields` besides its hidden ones. */
  async post(agent: UserAgent, from: Page, action: string, fields: Record<string, string> = {}): Promise<Page> {
    const form = findForm(from.html, action);
    return agent.follow(await agent.post(new URL(form.action, from.url).href, { ...form.hidden, ...fields }));
  }
}
