// When the password changes or an administrator disables or locks an account, everything it holds at
// the provider ends: the single sign-on session, refresh tokens and access tokens.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import type { UserEntity } from '../../src/persistence/entities/user.entity.js';
import { exchange, registerRelyingParty, signInWithPin, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

describe('ending an account’s sessions', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let rp: RelyingParty;
  const admin = { actor: 'admin-test', ip: '127.0.0.1' };

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: await smtp.start() } });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  async function signedIn(username: string) {
    const user = await server.app.services.users.create({ username, email: `${username}@example.com`, password: `${username} password 1` });
    const agent = new UserAgent();
    const auth = await startAuthorization(rp, { scope: 'openid email offline_access', prompt: 'consent' });
    const seen = smtp.messages.length;
    const callback = await signInWithPin(agent, auth, username, `${username} password 1`, async () => pinFrom((await smtp.next(`${username}@example.com`, seen)).raw));
    const tokens = await exchange(rp, auth, callback);
    expect(tokens.refresh_token).toBeTruthy();
    return { user, agent, tokens };
  }

  /** A new authorization request from the same browser: straight back to the application, or a sign-in page. */
  async function ssoLandsOn(agent: UserAgent): Promise<'application' | 'sign-in'> {
    const auth = await startAuthorization(rp);
    const page = await agent.follow(await agent.get(auth.url.href), (u) => u.startsWith('http://127.0.0.1:1/cb'));
    if (page.url.startsWith('http://127.0.0.1:1/cb')) return 'application';
    expect(page.html).toContain('name="password"');
    return 'sign-in';
  }

  const actions: Array<[string, (user: UserEntity) => Promise<unknown>]> = [
    ['password set by an administrator', (u) => server.app.services.userAdmin.setPassword(u.id, 'a brand new password', admin)],
    ['account disabled', (u) => server.app.services.userAdmin.setStatus(u.id, 'disabled', admin)],
    ['account locked by an administrator', (u) => server.app.services.userAdmin.lock(u.id, admin)],
    ['signed out everywhere by the help desk', (u) => server.app.services.userAdmin.endSessions(u.id, 'administrator', admin)],
  ];

  it.each(actions)('%s: the session, the refresh token and the access token stop working', async (_name, act) => {
    const { user, agent, tokens } = await signedIn(`u${Math.random().toString(36).slice(2, 8)}`);
    // Before: all three work.
    expect(await ssoLandsOn(agent)).toBe('application');
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    const info = await oidc.fetchUserInfo(rp.config, refreshed.access_token, user.id);
    expect(info.sub).toBe(user.id);

    await act(user);

    await expect(oidc.refreshTokenGrant(rp.config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.fetchUserInfo(rp.config, refreshed.access_token, user.id)).rejects.toThrow();
    expect(await ssoLandsOn(agent)).toBe('sign-in');
    const events = await server.app.services.audit.list({ subject: user.id });
    expect(events.find((e) => e.type === 'sessions.ended')).toMatchObject({ outcome: 'success', actor: 'admin-test' });
  });

  it('lists where the account is signed in: when, with which factors, for which applications; nothing once ended', async () => {
    const before = Date.now();
    const { user } = await signedIn(`s${Math.random().toString(36).slice(2, 8)}`);
    const [session, ...others] = await server.app.services.accountSessions.list(user.id);
    expect(others).toEqual([]);
    expect(session!.applications).toEqual([rp.clientId]);
    expect(session!.factors).toEqual(expect.arrayContaining(['pwd', 'mfa']));
    expect(session!.signedInAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(session!.expiresAt).toBeGreaterThan(Date.now());
    await server.app.services.userAdmin.endSessions(user.id, 'administrator', admin);
    expect(await server.app.services.accountSessions.list(user.id)).toEqual([]);
  });

  it("leaves other accounts' sessions alone", async () => {
    const one = await signedIn(`keep${Math.random().toString(36).slice(2, 6)}`);
    const other = await signedIn(`drop${Math.random().toString(36).slice(2, 6)}`);
    await server.app.services.userAdmin.setStatus(other.user.id, 'disabled', admin);
    expect(await ssoLandsOn(one.agent)).toBe('application');
    await expect(oidc.refreshTokenGrant(rp.config, one.tokens.refresh_token!)).resolves.toHaveProperty('access_token');
  });
});
