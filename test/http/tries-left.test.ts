// Before a lockout, the second factor's page says how many wrong answers the account still takes,
// counting down with each wrong soft token code, PIN or passkey; the password page never says it (it
// would tell which usernames exist).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { enrolledAnswers, createEnrolledUser, totpParams } from '../support/enrolled-user.js';
import { byLabels } from '../support/labelled-fields.js';
import { isCallback, openLogin, registerRelyingParty, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { passkeyOptionsIn, SoftAuthenticator } from '../support/soft-authenticator.js';
import { SmtpCapture } from '../support/smtp-capture.js';
import { TestClock } from '../support/test-clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Page, UserAgent } from '../support/user-agent.js';
import { totpCode } from '../../src/tokens/totp.js';

describe('tries left before a lockout', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let rp: RelyingParty;
  const clock = new TestClock();
  let n = 0;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({
      env: { SMTP_URL: await smtp.start(), LOCKOUT_THRESHOLD: '5', LOCKOUT_DURATION: '600', PIN_RESEND_COOLDOWN: '0', IP_FAILURE_LIMIT: '1000' },
      overrides: { clock },
    });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  const left = (page: Page) => /<p class="hint tries-left" role="status">([^<]*)<\/p>/.exec(page.html)?.[1];
  const leftText = (count: number) => `Wrong answers left before the account is locked: ${count}.`;

  /** The page after a right password, typed into the fields labelled as a person sees them. */
  async function afterPassword(agent: UserAgent, login: string, password: string): Promise<Page> {
    const page = await openLogin(agent, await startAuthorization(rp));
    return agent.follow(await agent.submit(page, '/step/password', byLabels(page.html, { 'Username or e-mail address': login, Password: password })));
  }

  it('a wrong soft token code: the page says how many tries are left, counting down; the right code signs in', async () => {
    const name = `tl-totp${++n}`;
    const { secret } = await createEnrolledUser(server, name, clock.now);
    clock.tick(30_000);
    const agent = new UserAgent();
    const page = await afterPassword(agent, name, `${name} password 1`);
    expect(page.html).toContain('Soft token code');
    expect(left(page)).toBeUndefined();
    const right = totpCode(secret, totpParams, clock.now());
    const wrong = right === '000000' ? '111111' : '000000';
    const once = await agent.submit(page, '/step/totp', { action: 'verify', ...byLabels(page.html, { 'Soft token code': wrong }) });
    expect(once.status).toBe(400);
    expect(once.html).toContain('The code is incorrect or has expired.');
    expect(left(once)).toBe(leftText(4));
    const twice = await agent.submit(once, '/step/totp', { action: 'verify', ...byLabels(once.html, { 'Soft token code': wrong }) });
    expect(left(twice)).toBe(leftText(3));
    // A reload of the page still says it: the count is the account's, not the page's.
    expect(left(await agent.get(`${server.url}${/action="(\/interaction\/[^/]+)\/step\/totp"/.exec(twice.html)![1]}`))).toBe(leftText(3));
    const done = await agent.follow(await agent.submit(twice, '/step/totp', { action: 'verify', ...byLabels(twice.html, { 'Soft token code': right }) }), isCallback);
    expect(isCallback(done.url)).toBe(true);
    expect((await server.app.services.users.findByLogin(name))!.failedLogins).toBe(0);
  });

  it('a wrong PIN: the page says how many tries are left, counting down', async () => {
    const name = `tl-pin${++n}`;
    await server.app.services.users.create({ username: name, email: `${name}@example.com`, password: `${name} password 1` });
    const agent = new UserAgent();
    const page = await afterPassword(agent, name, `${name} password 1`);
    expect(page.html).toContain('One-time PIN');
    expect(left(page)).toBeUndefined();
    let current = page;
    for (const expected of [4, 3, 2]) {
      current = await agent.submit(current, '/step/pin', { action: 'verify', ...byLabels(current.html, { 'One-time PIN': '0000000' }) });
      expect(current.html).toContain('The PIN is incorrect or has expired.');
      expect(left(current)).toBe(leftText(expected));
    }
  });

  it('a passkey that fails as the second factor: the page says how many tries are left', async () => {
    const s = server.app.services;
    const name = `tl-pk${++n}`;
    const user = await s.users.create({ username: name, email: `${name}@example.com`, password: `${name} password 1` });
    await s.questions.set(user.id, enrolledAnswers);
    const authenticator = new SoftAuthenticator(server.url);
    await s.passkeys.register(user, authenticator.register(await s.passkeys.registrationOptions(user, new Uint8Array(32))), { challenge: () => true, requireUserVerification: false }, {});
    const agent = new UserAgent();
    const page = await afterPassword(agent, name, `${name} password 1`);
    expect(left(page)).toBeUndefined();
    const answer = (from: Page) =>
      agent.submit(from, '/step/passkey', { action: 'authenticate', response: JSON.stringify(authenticator.authenticate(passkeyOptionsIn(from.html, '/step/passkey'), { origin: 'https://phish.example' })) });
    const once = await answer(page);
    expect(once.html).toContain('The passkey could not be verified');
    expect(left(once)).toBe(leftText(4));
    expect(left(await answer(once))).toBe(leftText(3));
  });

  it('the password page never says it, for a known name or an unknown one; the count shows after the right password', async () => {
    const name = `tl-pw${++n}`;
    await server.app.services.users.create({ username: name, email: `${name}@example.com`, password: `${name} password 1` });
    for (const login of [name, 'nobody-by-that-name']) {
      const agent = new UserAgent();
      let page = await openLogin(agent, await startAuthorization(rp));
      for (let i = 0; i < 2; i++) {
        page = await agent.submit(page, '/step/password', byLabels(page.html, { 'Username or e-mail address': login, Password: 'not the password' }));
        expect(page.html).toContain('The username or password is incorrect.');
        expect(page.html).not.toContain('tries-left');
        expect(page.html).not.toContain('before the account is locked');
      }
    }
    // The two wrong passwords counted against the account: its owner, past the password, is told.
    expect(left(await afterPassword(new UserAgent(), name, `${name} password 1`))).toBe(leftText(3));
  });
});
