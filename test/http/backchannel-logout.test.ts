// Back-channel logout: when the user signs out at the provider, or the provider ends the account's
// sessions (password changed, account disabled), every application in the session receives a
// signed logout token at its back-channel URI.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { exchange, registerRelyingParty, signInWithPin, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

describe('back-channel logout', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let receiver: Server;
  let rp: RelyingParty;
  const received: string[] = [];
  let answer = 200;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    // The receiver is on 127.0.0.1, a special-use address: the operator allows it.
    server = await startTestServer({ env: { SMTP_URL: await smtp.start(), OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' } });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const uri = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel`;
    rp = await registerRelyingParty(server, { clientId: 'bcl-app', backchannelLogoutUri: uri });
    await server.app.services.users.create({ username: 'carol', email: 'carol@example.com', password: 'carol password 1' });
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  });

  async function signedIn(username: string) {
    const user = await server.app.services.users.create({ username, email: `${username}@example.com`, password: `${username} password 1` });
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const seen = smtp.messages.length;
    const callback = await signInWithPin(agent, auth, username, `${username} password 1`, async () => pinFrom((await smtp.next(`${username}@example.com`, seen)).raw));
    const claims = (await exchange(rp, auth, callback)).claims()!;
    expect(claims.sid).toBeTruthy();
    return { user, claims };
  }

  async function verified(token: string) {
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    return (await jwtVerify(token, jwks, { issuer: server.url, audience: 'bcl-app' })).payload;
  }

  it('tells the application when an administrator disables the account', async () => {
    const { user, claims } = await signedIn('dave');
    received.length = 0;
    await server.app.services.userAdmin.setStatus(user.id, 'disabled', { actor: 'admin-test' });
    expect(received).toHaveLength(1);
    const payload = await verified(received[0]!);
    expect(payload.sub).toBe(user.id);
    expect(payload.sid).toBe(claims.sid);
    expect(payload.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);
  });

  it('audits a logout token the application refuses, and the password change still happens', async () => {
    const { user } = await signedIn('erin');
    received.length = 0;
    answer = 500;
    try {
      await server.app.services.userAdmin.setPassword(user.id, 'erin brand new password', { actor: 'admin-test' });
    } finally {
      answer = 200;
    }
    // Tried once more after a short pause, then given up.
    expect(received).toHaveLength(2);
    const events = await server.app.services.audit.list({ subject: user.id });
    expect(events.find((e) => e.type === 'sessions.backchannel_failed')).toMatchObject({ outcome: 'failure', clientId: 'bcl-app', actor: 'admin-test' });
    expect(events.map((e) => e.type)).toContain('user.password_set');
    expect(await server.app.services.hasher.verify((await server.app.services.users.passwordHash(user.id))!, 'erin brand new password')).toBe(true);
  });

  it('posts a signed logout token naming the user and the session', async () => {
    received.length = 0;
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const seen = smtp.messages.length;
    const callback = await signInWithPin(agent, auth, 'carol', 'carol password 1', async () => pinFrom((await smtp.next('carol@example.com', seen)).raw));
    const tokens = await exchange(rp, auth, callback);
    const claims = tokens.claims()!;
    expect(claims.sid).toBeTruthy();

    const confirm = await agent.get(oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token! }).href);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.html)![1]!;
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(confirm.html)![1]!;
    await agent.post(new URL(action, server.url).href, { xsrf, logout: 'yes' });

    for (let i = 0; i < 50 && !received.length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(1);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(received[0]!, jwks, { issuer: server.url, audience: 'bcl-app' });
    expect(payload.sub).toBe(claims.sub);
    expect(payload.sid).toBe(claims.sid);
    expect(payload.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);
  });
});
