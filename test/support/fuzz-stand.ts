// What the fuzz test aims at: a server whose error log is kept, people at each step of a sign-in,
// a My Profile session, a superadmin in the admin console, an admin API token, a live password
// reset link, an application with its secret; each as the cookie header and CSRF token to send.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { UserActions } from '../../src/admin/actions/user.actions.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { fromBase32, totpCode } from '../../src/tokens/totp.js';
import { adminToken } from './admin-api.js';
import { createEnrolledUser, totpParams } from './enrolled-user.js';
import type { Browser } from './fuzz-inputs.js';
import { mailText } from './mail-text.js';
import { recordingAgent } from './recording-agent.js';
import { isCallback, openLogin, registerRelyingParty, startAuthorization } from './relying-party.js';
import { pinFrom, SmtpCapture } from './smtp-capture.js';
import { TestClock } from './test-clock.js';
import { createTestDatabase, testEnv, type TestServer } from './test-server.js';
import type { Page, UserAgent } from './user-agent.js';

/** A sign-in in progress: the interaction's uid and the steps its page has forms for. */
export interface LiveInteraction extends Browser {
  uid: string;
  steps: string[];
}

export interface FuzzStand {
  server: TestServer;
  /** What the server logged at level error or above (the stack of a 500 is there). */
  errors: string[];
  interactions: LiveInteraction[];
  portal: Browser;
  admin: Browser;
  bearer: string;
  rp: { clientId: string; clientSecret: string };
  resetToken: string;
  ids: { users: string[]; clients: string[]; groups: string[]; portalToken: string };
  close(): Promise<void>;
}

export async function startFuzzStand(): Promise<FuzzStand> {
  const dir = mkdtempSync(join(tmpdir(), 'idp-fuzz-'));
  const db = await createTestDatabase(dir);
  const smtp = new SmtpCapture();
  const clock = new TestClock();
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const config = loadConfig(
    testEnv(dir, db.url, {
      ISSUER: url,
      SMTP_URL: await smtp.start(),
      REQUIRE_SOFT_TOKEN: 'true',
      PORTAL_REAUTH_SECONDS: '86400',
      // Wrong factors are counted (those counters are left out of the comparison), but never lock.
      LOCKOUT_THRESHOLD: '100',
      TOKEN_MAX_FAILURES: '100',
      IP_FAILURE_LIMIT: '1000000',
    }),
  );
  const errors: string[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) });
  const app = await createApp(config, { clock: { now: clock.now }, log });
  http.on('request', app.callback());
  const server: TestServer = {
    url,
    app,
    config,
    server: http,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await app.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const s = app.services;

  const rp = await registerRelyingParty(server, { clientId: 'fuzz-app' });
  const code = (secret: Uint8Array) => {
    clock.tick(30_000); // a fresh time step: a code is never accepted twice
    return totpCode(secret, totpParams, clock.now());
  };
  const enrolled = (name: string, role: 'user' | 'superadmin' = 'user') => createEnrolledUser(server, name, clock.now, role);
  const password = (name: string) => `${name} password 1`;

  /** Signs `name` in to My Profile or the console with password and soft token, and returns that browser. */
  async function staff(name: string, secret: Uint8Array, home: string): Promise<Browser> {
    const { agent, browser } = recordingAgent();
    const login = await agent.follow(await agent.get(`${url}${home}`));
    const totp = await agent.follow(await agent.submit(login, '/step/password', { login: name, password: password(name) }));
    await agent.follow(await agent.submit(totp, '/step/totp', { action: 'verify', code: code(secret) }));
    return browser(`${url}${home === '/admin' ? '/admin/users' : home}`);
  }

  /** Opens a sign-in for the application and takes it as far as `until` says. */
  async function interaction(until: (agent: UserAgent, login: Page) => Promise<Page>): Promise<LiveInteraction> {
    const { agent, browser } = recordingAgent();
    const login = await openLogin(agent, await startAuthorization(rp));
    const page = await until(agent, login);
    const uid = /\/interaction\/([^/]+)/.exec(page.url)![1]!;
    const at = await browser(`${url}/interaction/${uid}`);
    const steps = [...new Set([...at.page.html.matchAll(/action="\/interaction\/[^/]+\/step\/([a-z-]+)"/g)].map((m) => m[1]!))];
    return { uid, steps, cookie: at.cookie, csrf: at.csrf };
  }
  const afterPassword = (name: string) => async (agent: UserAgent, login: Page) =>
    agent.follow(await agent.submit(login, '/step/password', { login: name, password: password(name) }));

  const superadmin = await enrolled('fuzzadmin', 'superadmin');
  const portalUser = await enrolled('fuzzportal');
  const totpUser = await enrolled('fuzztotp');
  const plain: Record<string, Awaited<ReturnType<typeof s.users.create>>> = {};
  for (const name of ['fuzzpin', 'fuzzenrol', 'fuzzquestions', 'fuzzreset']) plain[name] = await s.users.create({ username: name, email: `${name}@example.com`, password: password(name) });
  const questionsUser = plain.fuzzquestions!;
  const started = await s.tokens.createForApp(questionsUser);
  const questionsSecret = fromBase32(started.key);
  await s.tokens.completeWithCode(questionsUser.id, started.token.id, code(questionsSecret));
  const group = await s.groups.create('fuzz-group');
  const api = await s.clients.addServiceAccount('fuzz-api', 'superadmin');
  const bearer = await adminToken(server, api.clientId, api.clientSecret);

  const interactions = [
    await interaction(async (_, login) => login),
    await interaction(afterPassword('fuzzpin')),
    await interaction(afterPassword('fuzztotp')),
    await interaction(async (agent, login) => {
      const seen = smtp.messages.length;
      const pinPage = await afterPassword('fuzzenrol')(agent, login);
      const pin = pinFrom(mailText((await smtp.next('fuzzenrol@example.com', seen)).raw));
      return agent.follow(await agent.submit(pinPage, '/step/pin', { action: 'verify', pin }), isCallback);
    }),
    await interaction(async (agent, login) => {
      const totp = await afterPassword('fuzzquestions')(agent, login);
      return agent.follow(await agent.submit(totp, '/step/totp', { action: 'verify', code: code(questionsSecret) }), isCallback);
    }),
  ];
  const resetUser = plain.fuzzreset!;
  const seen = smtp.messages.length;
  await new UserActions(s).sendResetLink({ actor: 'fuzz', role: 'admin' }, resetUser.id);
  const resetToken = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mailText((await smtp.next(resetUser.email, seen)).raw))![1]!;

  const portal = await staff('fuzzportal', portalUser.secret, '/account');
  const admin = await staff('fuzzadmin', superadmin.secret, '/admin');
  return {
    server,
    errors,
    interactions,
    portal,
    admin,
    bearer,
    rp: { clientId: rp.clientId, clientSecret: rp.clientSecret! },
    resetToken,
    ids: {
      users: [superadmin.user.id, portalUser.user.id, totpUser.user.id, resetUser.id],
      clients: ['fuzz-app', 'fuzz-api'],
      groups: [group.id],
      portalToken: portalUser.token.id,
    },
    async close() {
      await server.close();
      await smtp.stop();
    },
  };
}
