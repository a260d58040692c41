// What the protocol tests share: a server with an SMTP capture and a user who signs in with a
// password and an e-mailed PIN from whatever page the provider first shows (an authorization
// request by GET, POST or PAR, or the device flow's confirmation).
import * as oidc from 'openid-client';
import { type NewClient } from '../../src/clients/client.schema.js';
import { isCallback } from './relying-party.js';
import { pinFrom, SmtpCapture } from './smtp-capture.js';
import type { TestClock } from './test-clock.js';
import { startTestServer, type TestServer } from './test-server.js';
import { type Page, UserAgent } from './user-agent.js';

export const CALLBACK = 'http://127.0.0.1:1/cb';

export class ProtocolStand {
  private constructor(
    readonly server: TestServer,
    readonly smtp: SmtpCapture,
  ) {}

  static async start(env: Record<string, string> = {}, clock?: TestClock): Promise<ProtocolStand> {
    const smtp = new SmtpCapture();
    const server = await startTestServer({ env: { SMTP_URL: await smtp.start(), ...env }, overrides: clock ? { clock } : {} });
    return new ProtocolStand(server, smtp);
  }

  get url(): string {
    return this.server.url;
  }

  get services() {
    return this.server.app.services;
  }

  async user(username: string): Promise<{ id: string; username: string; password: string; email: string }> {
    const password = `${username} password 1`;
    const email = `${username}@example.com`;
    const user = await this.services.users.create({ username, email, password });
    return { id: user.id, username, password, email };
  }

  /** Registers a client and returns openid-client's configuration for it. */
  async client(input: Partial<NewClient> & { clientId: string }, auth?: oidc.ClientAuth): Promise<{ config: oidc.Configuration; clientSecret?: string }> {
    const { clientSecret } = await this.services.clients.add({ redirectUris: [CALLBACK], postLogoutRedirectUris: ['http://127.0.0.1:1/bye'], ...input });
    const method = auth ?? (clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None());
    const config = await oidc.discovery(new URL(this.url), input.clientId, undefined, method, { execute: [oidc.allowInsecureRequests] });
    return { config, clientSecret };
  }

  /** From the provider's first sign-in page: password, then the e-mailed PIN; returns the page after. */
  async signIn(agent: UserAgent, first: Page, user: { username: string; password: string; email: string }, stop: (url: string) => boolean = isCallback): Promise<Page> {
    const seen = this.smtp.messages.length;
    const pinPage = await agent.follow(await agent.submit(first, '/step/password', { login: user.username, password: user.password }));
    if (!pinPage.html.includes('name="pin"')) throw new Error(`expected the PIN page, got ${pinPage.status}:\n${pinPage.html.slice(0, 1500)}`);
    const pin = pinFrom((await this.smtp.next(user.email, seen)).raw);
    return agent.follow(await agent.submit(pinPage, '/step/pin', { action: 'verify', pin }), stop);
  }

  /** Whether any stored OIDC row (ids and payloads) holds `value` in the clear. */
  async storedAnywhere(value: string): Promise<boolean> {
    const rows = (await this.server.app.ds.query('SELECT * FROM oidc_payloads')) as unknown[];
    return JSON.stringify(rows).includes(value);
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.smtp.stop();
  }
}

/** PKCE, state and nonce for one authorization request. */
export async function pkce(): Promise<{ verifier: string; state: string; nonce: string; params: Record<string, string> }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const params = { code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce };
  return { verifier, state, nonce, params };
}
