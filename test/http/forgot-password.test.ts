// "I've forgotten my password" inside the application's sign-in: the name, a possession factor the
// account holds (soft token, passkey, recovery code, SMS PIN; an e-mail PIN only without anything
// stronger), the security questions where the account has them, a new password — then every session
// and token of the account ends and the sign-in goes on with the new password. Unknown names look the
// same; a locked account stays locked; attempts are limited.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { fromBase32, totpCode } from '../../src/tokens/totp.js';
import { createEnrolledUser, enrolledAnswers, totpParams } from '../support/enrolled-user.js';
import { mailText } from '../support/mail-text.js';
import { exchange, isCallback, openLogin, registerRelyingParty, type RelyingParty, startAuthorization } from '../support/relying-party.js';
import { SmsCapture } from '../support/sms-capture.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { passkeyOptionsIn, SoftAuthenticator } from '../support/soft-authenticator.js';
import { TestClock } from '../support/test-clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Page, UserAgent } from '../support/user-agent.js';

const NEW_PASSWORD = 'a quite new passphrase 7';
const ACCOUNT_LIMIT = 4;
const IP_LIMIT = 40;

describe("I've forgotten my password", () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let sms: SmsCapture;
  let rp: RelyingParty;
  const clock = new TestClock();
  const s = () => server.app.services;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    sms = new SmsCapture();
    const env = { SMTP_URL: await smtp.start(), SMS_WEBHOOK_URL: await sms.start(), FORGOT_PASSWORD_ACCOUNT_LIMIT: String(ACCOUNT_LIMIT), FORGOT_PASSWORD_IP_LIMIT: String(IP_LIMIT) };
    server = await startTestServer({ env, overrides: { clock: { now: clock.now } } });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
    await sms?.stop();
  });

  /** A new sign-in to the application, then "I've forgotten my password" and the name: the page of proofs. */
  async function forgot(agent: UserAgent, login: string, extra: Record<string, string> = {}) {
    const auth = await startAuthorization(rp, extra);
    const page = await openLogin(agent, auth);
    expect(page.html).toContain("I've forgotten my password");
    const identify = await agent.follow(await agent.submit(page, '/step/forgot-password', { action: 'start' }));
    expect(identify.html).toContain('<h1>Reset your password</h1>');
    return { auth, prove: await agent.follow(await agent.submit(identify, '/step/forgot-password', { action: 'identify', login })) };
  }

  const act = async (agent: UserAgent, page: Page, action: string, fields: Record<string, string> = {}) =>
    agent.follow(await agent.submit(page, '/step/forgot-password', { action, ...fields }), isCallback);

  /** From the new password page: saved, then back on the sign-in page with the name filled in. */
  async function newPassword(agent: UserAgent, page: Page, login: string): Promise<Page> {
    expect(page.html).toContain('<h1>Choose a new password</h1>');
    const done = await act(agent, page, 'save', { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.html).toContain('<h1>Your password was changed</h1>');
    const signIn = await act(agent, done, 'continue');
    expect(signIn.html).toContain(`name="login" type="text" autocomplete="username webauthn" value="${login}"`);
    return signIn;
  }

  const answers = (page: Page) =>
    Object.fromEntries([...page.html.matchAll(/<label for="(a\d+)">([^<]+)<\/label>/g)].map(([, id, q]) => [id!, enrolledAnswers.find((e) => e.question === q!.replace(/&#39;/g, "'"))!.answer]));

  it('with a soft token code and the questions: the old password and refresh tokens die, the sign-in goes on', async () => {
    const { user, secret } = await createEnrolledUser(server, 'fay', clock.now);
    // Fay is signed in somewhere, with a refresh token.
    const elsewhere = new UserAgent();
    const first = await startAuthorization(rp, { scope: 'openid offline_access', prompt: 'consent' });
    const login = await openLogin(elsewhere, first);
    clock.tick(30_000);
    const totp = await elsewhere.follow(await elsewhere.submit(login, '/step/password', { login: 'fay', password: 'fay password 1' }));
    const signedIn = await elsewhere.follow(await elsewhere.submit(totp, '/step/totp', { action: 'verify', code: totpCode(secret, totpParams, clock.now()) }), isCallback);
    const { refresh_token } = await exchange(rp, first, signedIn.url);

    const agent = new UserAgent();
    const { auth, prove } = await forgot(agent, 'fay@example.com');
    expect(prove.html).toContain('Contact your help desk');
    clock.tick(30_000);
    const questions = await act(agent, prove, 'totp', { code: totpCode(secret, totpParams, clock.now()) });
    expect(questions.html).toContain('<h1>Answer your security questions</h1>');
    const wrong = await agent.submit(questions, '/step/forgot-password', { action: 'answer', a1: 'no', a2: 'no' });
    expect(wrong.html).toContain('One or more answers are incorrect.');
    expect(wrong.html).toContain('Wrong answers left before the account is locked: 4.');
    const choose = await act(agent, wrong, 'answer', answers(wrong));
    // The rules of any new password.
    const weak = await agent.submit(choose, '/step/forgot-password', { action: 'save', password: 'password', confirm: 'password' });
    expect(weak.html).toMatch(/at least 8 characters|most commonly used/);
    const reused = await agent.submit(weak, '/step/forgot-password', { action: 'save', password: 'fay password 1', confirm: 'fay password 1' });
    expect(reused.html).toContain('The password was used before.');
    const seen = smtp.messages.length;
    const signIn = await newPassword(agent, reused, 'fay@example.com');
    await smtp.next('fay@example.com', seen);
    expect(mailText(smtp.messages.slice(seen).map((m) => m.raw).join('\n'))).toContain('Your password was reset from the sign-in page (forgotten password)');

    // Everything the account held ends: the refresh token is dead.
    await expect(oidc.refreshTokenGrant(rp.config, refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The reset proved nothing to this sign-in: the new password and a second factor, as always.
    const old = await agent.submit(signIn, '/step/password', { login: 'fay', password: 'fay password 1' });
    expect(old.html).toContain('The username or password is incorrect.');
    const second = await agent.follow(await agent.submit(old, '/step/password', { login: 'fay', password: NEW_PASSWORD }));
    clock.tick(30_000);
    const done = await agent.follow(await agent.submit(second, '/step/totp', { action: 'verify', code: totpCode(secret, totpParams, clock.now()) }), isCallback);
    const claims = (await exchange(rp, auth, done.url)).claims()!;
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    const types = (await s().audit.list({ subject: user.id })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['password.forgot_started', 'password.forgot_proof', 'password.forgot_completed', 'sessions.ended']));
  });

  it('with a passkey from the software authenticator', async () => {
    const user = await s().users.create({ username: 'gus', email: 'gus@example.com', password: 'gus password 1' });
    const authenticator = new SoftAuthenticator(server.url);
    const binding = { purpose: 'register' as const, uid: 'test-gus', n: 0 };
    const options = await s().passkeys.registrationOptions(user, s().passkeys.challenges.issue(binding));
    await s().passkeys.register(user, authenticator.register(options), { challenge: (c) => s().passkeys.challenges.check(c, binding), requireUserVerification: false }, {});
    const agent = new UserAgent();
    const { prove } = await forgot(agent, 'gus');
    // Any passkey of ours may answer: the page does not list the account's.
    const request = passkeyOptionsIn(prove.html, '/step/forgot-password');
    expect(request.allowCredentials ?? []).toEqual([]);
    const choose = await act(agent, prove, 'authenticate', { response: JSON.stringify(authenticator.authenticate(request)) });
    await newPassword(agent, choose, 'gus');
    expect(await s().users.isCurrentPassword(user.id, NEW_PASSWORD)).toBe(true);
  });

  it('with a recovery code, which is then spent', async () => {
    const user = await s().users.create({ username: 'hal', email: 'hal@example.com', password: 'hal password 1' });
    const [code] = await s().recoveryCodes.generate(user);
    const agent = new UserAgent();
    const { prove } = await forgot(agent, 'hal');
    await newPassword(agent, await act(agent, prove, 'recovery-code', { code: code! }), 'hal');
    expect(await s().recoveryCodes.status(user.id)).toMatchObject({ remaining: 9 });
    await expect(s().recoveryCodes.consume(user, code!)).rejects.toMatchObject({ code: 'recovery_code.invalid' });
  });

  it('with a PIN by SMS to the number on file', async () => {
    const user = await s().users.create({ username: 'ida', email: 'ida@example.com', mobile: '+15550001234', password: 'ida password 1' });
    const agent = new UserAgent();
    const { prove } = await forgot(agent, 'ida');
    const seen = sms.messages.length;
    const pinPage = await act(agent, prove, 'send-pin');
    expect(pinPage.html).toContain('If this account can receive a one-time PIN, it is on its way.');
    const wrong = await agent.submit(pinPage, '/step/forgot-password', { action: 'verify', pin: '000000' });
    expect(wrong.html).toContain('The PIN is incorrect or has expired.');
    const pin = pinFrom((await sms.next('+15550001234', seen)).text);
    await newPassword(agent, await act(agent, wrong, 'verify', { pin }), 'ida');
    expect(await s().users.isCurrentPassword(user.id, NEW_PASSWORD)).toBe(true);
  });

  it('by e-mail only for an account without a stronger factor', async () => {
    const plain = await s().users.create({ username: 'jon', email: 'jon@example.com', password: 'jon password 1' });
    const agent = new UserAgent();
    const seen = smtp.messages.length;
    const pinPage = await act(agent, (await forgot(agent, 'jon')).prove, 'send-pin');
    const pin = pinFrom(mailText((await smtp.next('jon@example.com', seen)).raw));
    await newPassword(agent, await act(agent, pinPage, 'verify', { pin }), 'jon');
    expect(await s().users.isCurrentPassword(plain.id, NEW_PASSWORD)).toBe(true);

    // With a soft token (and no mobile number), no e-mail goes out: the page says the same.
    const { user: strong } = await createEnrolledUser(server, 'kim', clock.now);
    const other = new UserAgent();
    const same = await act(other, (await forgot(other, 'kim')).prove, 'send-pin');
    expect(same.html).toContain('If this account can receive a one-time PIN, it is on its way.');
    const [sent] = await s().audit.list({ subject: strong.id, type: 'password.forgot_pin' });
    expect(sent!.details).toEqual({ channel: 'none' });
    expect(await s().pins.pending(strong.id, `forgot:${/\/interaction\/([^/]+)\//.exec(same.html)![1]}`)).toBeNull();
  });

  it('says the same, at the same speed, for a name no account has', async () => {
    clock.tick(3_600_000); // a fresh window for the limits
    await createEnrolledUser(server, 'liv', clock.now);
    const normal = (html: string, login: string) =>
      html.replace(/\/interaction\/[^/"]+/g, '/interaction/UID').replace(/name="_csrf" value="[^"]*"/g, '').replace(/data-passkey-options="[^"]*"/g, '').replaceAll(login, 'NAME');
    // (One browser each: the test agent keeps one interaction cookie per host.)
    const [agent, other] = [new UserAgent(), new UserAgent()];
    const known = await forgot(agent, 'liv');
    const unknown = await forgot(other, 'nobody-at-all');
    expect(normal(unknown.prove.html, 'nobody-at-all')).toBe(normal(known.prove.html, 'liv'));
    // A proof fails alike.
    const failKnown = await agent.submit(known.prove, '/step/forgot-password', { action: 'recovery-code', code: 'AAAA-BBBB-CCCC' });
    const failUnknown = await other.submit(unknown.prove, '/step/forgot-password', { action: 'recovery-code', code: 'AAAA-BBBB-CCCC' });
    expect(failUnknown.status).toBe(failKnown.status);
    expect(normal(failUnknown.html, 'nobody-at-all')).toBe(normal(failKnown.html, 'liv'));

    // Timing of the name's answer, in alternating runs (a name each, under its limit).
    for (let i = 0; i < 10; i++) await s().users.create({ username: `liv-${i}`, email: `liv-${i}@example.com`, password: 'liv password 1' });
    const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    for (let i = 0; i < 10; i++) {
      for (const [kind, login] of [['known', `liv-${i}`], ['unknown', `nobody-${i}`]] as const) {
        const page = await openLogin(agent, await startAuthorization(rp));
        const identify = await agent.follow(await agent.submit(page, '/step/forgot-password', { action: 'start' }));
        const started = performance.now();
        await agent.follow(await agent.submit(identify, '/step/forgot-password', { action: 'identify', login }));
        times[kind].push(performance.now() - started);
      }
    }
    // The fastest run of each is its own cost with the least of the machine's noise in it.
    const [k, u] = [Math.min(...times.known), Math.min(...times.unknown)];
    expect(Math.abs(k - u)).toBeLessThan(Math.max(12, 0.5 * Math.max(k, u)));
  });

  it('keeps a locked account locked, and tells of the lock only to a right answer', async () => {
    const { user, secret } = await createEnrolledUser(server, 'max', clock.now);
    await s().userAdmin.lock(user.id, { actor: 'test' });
    const agent = new UserAgent();
    const { prove } = await forgot(agent, 'max');
    clock.tick(30_000);
    // A wrong code and a request for a PIN are answered as for any name: the lock says nothing of the account.
    const wrong = await agent.submit(prove, '/step/forgot-password', { action: 'totp', code: '000000' });
    expect(wrong.html).not.toContain('This account is locked');
    const refused = await agent.submit(wrong, '/step/forgot-password', { action: 'totp', code: totpCode(secret, totpParams, clock.now()) });
    expect(refused.status).toBe(423);
    expect(refused.html).toContain('This account is locked');
    const other = new UserAgent();
    const pin = await other.submit((await forgot(other, 'max')).prove, '/step/forgot-password', { action: 'send-pin' });
    expect(pin.html).toContain('If this account can receive a one-time PIN, it is on its way.');
    expect(pin.html).not.toContain('This account is locked');
    expect(await s().users.isCurrentPassword(user.id, 'max password 1')).toBe(true);
    expect((await s().users.findById(user.id))!.lockedAt).not.toBeNull();
  });

  it('limits attempts per account and per address, and audits them', async () => {
    clock.tick(3_600_000);
    const { user } = await createEnrolledUser(server, 'ned', clock.now);
    const agent = new UserAgent();
    let last: Page | undefined;
    for (let i = 0; i <= ACCOUNT_LIMIT; i++) {
      const page = await openLogin(agent, await startAuthorization(rp));
      const identify = await agent.follow(await agent.submit(page, '/step/forgot-password', { action: 'start' }));
      last = await agent.submit(identify, '/step/forgot-password', { action: 'identify', login: i % 2 ? 'ned' : 'ned@example.com' });
    }
    expect(last!.status).toBe(429);
    expect(last!.html).toContain('Too many attempts to reset this password');
    const limited = await s().audit.list({ subject: user.id, type: 'password.forgot' });
    expect(limited[0]!.details).toMatchObject({ reason: 'rate_limited' });

    // Per address: names that name no one count too.
    let status = 0;
    let tries = ACCOUNT_LIMIT;
    while (status !== 429 && tries < IP_LIMIT + 2) {
      const page = await openLogin(agent, await startAuthorization(rp));
      const start = await agent.follow(await agent.submit(page, '/step/forgot-password', { action: 'start' }));
      status = (await agent.submit(start, '/step/forgot-password', { action: 'identify', login: `someone-${tries}` })).status;
      tries++;
    }
    expect(status).toBe(429);
    expect(tries).toBe(IP_LIMIT + 1);
  });
});
