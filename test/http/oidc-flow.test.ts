// The whole journey through a real relying-party library: discovery, PKCE authorization,
// password + PIN (read from a real SMTP server or SMS webhook), tokens, userinfo, refresh, logout.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { OidcClientEntity } from '../../src/persistence/entities/oidc-client.entity.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { SmsCapture } from '../support/sms-capture.js';
import { exchange, isCallback, openLogin, registerRelyingParty, signInWithPin, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

describe('OIDC authorization code flow with password and one-time PIN', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let sms: SmsCapture;
  let rp: RelyingParty;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    sms = new SmsCapture();
    const [smtpUrl, smsUrl] = await Promise.all([smtp.start(), sms.start()]);
    server = await startTestServer({ env: { SMTP_URL: smtpUrl, SMS_WEBHOOK_URL: smsUrl, SMS_WEBHOOK_TOKEN: 'gateway-token' } });
    await server.app.services.users.create({ username: 'alice', email: 'alice@example.com', name: 'Alice', password: 'correct horse battery' });
    await server.app.services.users.create({ username: 'bob', email: 'bob@example.com', mobile: '+15551230000', password: 'bob password 1' });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
    await sms?.stop();
  });

  it('signs in with a PIN sent by e-mail and returns a valid ID token with amr', async () => {
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const seen = smtp.messages.length;
    const callback = await signInWithPin(agent, auth, 'alice', 'correct horse battery', async () => pinFrom((await smtp.next('alice@example.com', seen)).raw));
    const tokens = await exchange(rp, auth, callback);
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(server.url);
    expect(claims.aud).toBe(rp.clientId);
    expect(claims.nonce).toBe(auth.nonce);
    expect(claims.amr).toEqual(['pwd', 'mail', 'mfa']);
    expect(claims.email).toBe('alice@example.com');
    const user = await server.app.services.users.findByLogin('alice');
    expect(claims.sub).toBe(user!.id);

    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
    expect(info.email).toBe('alice@example.com');
    expect(info.name).toBe('Alice');
  });

  it('keeps the client secret sealed in the database, and the token endpoint still takes it', async () => {
    const row = await server.app.ds.getRepository(OidcClientEntity).findOneByOrFail({ clientId: rp.clientId });
    const stored = String(row.metadata.client_secret);
    expect(rp.clientSecret).toBeTruthy();
    expect(stored).not.toContain(rp.clientSecret!);
    expect(stored.startsWith('v1.')).toBe(true);
    const res = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${rp.clientId}:wrong-secret`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'http://127.0.0.1:1/cb' }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('signs in with a PIN sent to the SMS webhook', async () => {
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const callback = await signInWithPin(agent, auth, 'bob@example.com', 'bob password 1', async () => {
      const message = sms.last('+15551230000');
      expect(message.authorization).toBe('Bearer gateway-token');
      return pinFrom(message.text);
    });
    const tokens = await exchange(rp, auth, callback);
    expect(tokens.claims()!.amr).toEqual(['pwd', 'sms', 'mfa']);
    expect(tokens.claims()!.phone_number).toBe('+15551230000');
  });

  it('ends the interaction in the answer to the last factor: straight back to the authorization endpoint', async () => {
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const seen = smtp.messages.length;
    const loginPage = await openLogin(agent, auth);
    const pinPage = await agent.follow(await agent.submit(loginPage, '/step/password', { login: 'alice', password: 'correct horse battery' }));
    const pin = pinFrom((await smtp.next('alice@example.com', seen)).raw);
    const answer = await agent.submit(pinPage, '/step/pin', { action: 'verify', pin });
    expect(answer.status).toBe(303);
    expect(new URL(answer.location!, server.url).pathname).toMatch(/^\/auth\//);
    const done = await agent.follow(answer, isCallback);
    expect((await exchange(rp, auth, done.url)).claims()!.amr).toEqual(['pwd', 'mail', 'mfa']);
  });

  it('rotates refresh tokens and rejects the old one', async () => {
    const agent = new UserAgent();
    const auth = await startAuthorization(rp, { scope: 'openid email offline_access', prompt: 'consent' });
    const seen = smtp.messages.length;
    const callback = await signInWithPin(agent, auth, 'alice', 'correct horse battery', async () => pinFrom((await smtp.next('alice@example.com', seen)).raw));
    const tokens = await exchange(rp, auth, callback);
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('reuses the session for a second application request and logs out with confirmation', async () => {
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const seen = smtp.messages.length;
    const callback = await signInWithPin(agent, auth, 'alice', 'correct horse battery', async () => pinFrom((await smtp.next('alice@example.com', seen)).raw));
    const tokens = await exchange(rp, auth, callback);

    // Single sign-on: the next request goes straight back to the application.
    const again = await startAuthorization(rp);
    const sso = await agent.follow(await agent.get(again.url.href), (u) => u.startsWith('http://127.0.0.1:1/cb'));
    expect(sso.url).toContain('code=');

    const endSession = oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:1/bye' });
    const confirm = await agent.get(endSession.href);
    expect(confirm.html).toContain('Yes, sign me out');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.html)![1]!;
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(confirm.html)![1]!;
    const out = await agent.post(new URL(action, server.url).href, { xsrf, logout: 'yes' });
    expect(out.location).toMatch(/^http:\/\/127\.0\.0\.1:1\/bye/);

    // After logout the provider asks for the password again.
    const fresh = await startAuthorization(rp);
    const page = await agent.follow(await agent.get(fresh.url.href));
    expect(page.html).toContain('name="password"');
  });
});
