// First sign-in ends with a soft token enrolled (each activation method); later sign-ins ask
// for its code. Driven through openid-client with PINs read from a real SMTP server.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registrationCode } from '../../src/tokens/activation-crypto.js';
import { fromBase32, totpCode } from '../../src/tokens/totp.js';
import { mailText } from '../support/mail-text.js';
import { exchange, isCallback, openLogin, registerRelyingParty, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { activate } from '../support/softtoken-device.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Page, UserAgent } from '../support/user-agent.js';

const params = { algorithm: 'SHA1' as const, digits: 6 as const, period: 30 };
const answers = {
  action: 'save',
  q1: 'What was the name of your first pet?',
  a1: 'Rex',
  q2: 'In what city were you born?',
  a2: 'Paris',
  own3: 'What is my favourite colour?',
  a3: 'Blue',
};

describe('soft token enrolment and sign-in', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let rp: RelyingParty;
  let offset = 0;
  const now = () => Date.now() + offset;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: await smtp.start(), REQUIRE_SOFT_TOKEN: 'true' }, overrides: { clock: { now } } });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  async function newUser(name: string) {
    await server.app.services.users.create({ username: name, email: `${name}@example.com`, password: `${name} secret password` });
    return name;
  }

  /** Password + e-mailed PIN; returns the page after them (enrolment or the application). */
  async function passwordAndPin(agent: UserAgent, name: string) {
    const auth = await startAuthorization(rp);
    const login = await openLogin(agent, auth);
    const seen = smtp.messages.length;
    const pinPage = await agent.follow(await agent.submit(login, '/step/password', { login: name, password: `${name} secret password` }));
    expect(pinPage.html).toContain('name="pin"');
    const pin = pinFrom((await smtp.next(`${name}@example.com`, seen)).raw);
    const after = await agent.follow(await agent.submit(pinPage, '/step/pin', { action: 'verify', pin }), isCallback);
    return { auth, page: after };
  }

  async function finish(agent: UserAgent, auth: Awaited<ReturnType<typeof startAuthorization>>, page: Page) {
    let done = await agent.follow(page, isCallback);
    if (done.html.includes('Choose your security questions')) {
      done = await agent.follow(await agent.submit(done, '/step/enrol-questions', answers), isCallback);
    }
    // The first second factor comes with recovery codes, shown once (recovery-codes.test.ts).
    if (done.html.includes('Save your recovery codes')) {
      done = await agent.follow(await agent.submit(done, '/step/recovery-codes', { action: 'saved' }), isCallback);
    }
    expect(isCallback(done.url)).toBe(true);
    return (await exchange(rp, auth, done.url)).claims()!;
  }

  async function signInWithToken(name: string, code: (at: number) => string) {
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const login = await openLogin(agent, auth);
    const totpPage = await agent.follow(await agent.submit(login, '/step/password', { login: name, password: `${name} secret password` }));
    expect(totpPage.html).toContain('Enter your soft token code');
    const wrong = await agent.submit(totpPage, '/step/totp', { action: 'verify', code: '000000' === code(now()) ? '111111' : '000000' });
    expect(wrong.html).toContain('The code is incorrect or has expired.');
    const done = await agent.follow(await agent.submit(wrong, '/step/totp', { action: 'verify', code: code(now()) }), isCallback);
    return (await exchange(rp, auth, done.url)).claims()!;
  }

  it('enrols an authenticator app from the QR page, then signs in with its codes', async () => {
    const name = await newUser('appuser');
    const agent = new UserAgent();
    const { auth, page } = await passwordAndPin(agent, name);
    expect(page.html).toContain('Set up your soft token');
    const qrPage = await agent.follow(await agent.submit(page, '/step/enrol-token', { action: 'choose-app' }));
    expect(qrPage.html).toMatch(/<img class="qr" src="data:image\/png;base64,/);
    const key = /id="secret-key"[^>]*>([A-Z2-7 ]+)</.exec(qrPage.html)![1]!;
    const secret = fromBase32(key);
    const bad = await agent.submit(qrPage, '/step/enrol-token', { action: 'verify-app', code: '000000' === totpCode(secret, params, now()) ? '111111' : '000000' });
    expect(bad.html).toContain('The code is incorrect');
    const claims = await finish(agent, auth, await agent.submit(bad, '/step/enrol-token', { action: 'verify-app', code: totpCode(secret, params, now()) }));
    expect(claims.amr).toEqual(['pwd', 'mail', 'mfa']);

    offset += 30_000; // the enrolment's time step is spent
    const again = await signInWithToken(name, (at) => totpCode(secret, params, at));
    expect(again.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('activates the softtoken app from the e-mailed link; opening the link in a browser redeems nothing', async () => {
    const name = await newUser('linkuser');
    const agent = new UserAgent();
    const { auth, page } = await passwordAndPin(agent, name);
    const seen = smtp.messages.length;
    const waiting = await agent.follow(await agent.submit(page, '/step/enrol-token', { action: 'choose-softtoken' }));
    expect(waiting.html).toContain('Activate your soft token app');
    const mail = mailText((await smtp.next(`${name}@example.com`, seen)).raw);
    expect(mail).toContain('Content-Type: image/png');
    const link = /(http:\/\/127\.0\.0\.1:\d+\/softtoken\/activate\?ticket=[A-Za-z0-9_%-]+)/.exec(mail)![1]!;

    const browser = await new UserAgent().get(link);
    expect(browser.html).toContain('does not activate anything');
    const early = await agent.submit(waiting, '/step/enrol-token', { action: 'check' });
    expect(early.html).toContain('The soft token is not active yet');

    const ticket = new URL(link).searchParams.get('ticket')!;
    const result = await activate(server.url, { ticket });
    expect(result.status).toBe(200);
    expect(result.body.registrationRequired).toBe(false);
    await finish(agent, auth, await agent.submit(early, '/step/enrol-token', { action: 'check' }));

    expect((await activate(server.url, { ticket })).body.error).toBe('already_used');
    offset += 30_000;
    const p = { algorithm: result.body.algorithm, digits: result.body.digits, period: result.body.period };
    expect((await signInWithToken(name, (at) => totpCode(result.secret!, p, at))).amr).toContain('otp');
  });

  it('activates with the QR ticket and the password shown apart', async () => {
    const name = await newUser('qruser');
    const agent = new UserAgent();
    const { auth, page } = await passwordAndPin(agent, name);
    const waiting = await agent.follow(await agent.submit(page, '/step/enrol-token', { action: 'choose-softtoken' }));
    const password = /id="activation-password">(\d{8})</.exec(waiting.html)![1]!;
    const user = (await server.app.services.users.findByLogin(name))!;
    const [token] = await server.app.services.tokens.list(user.id);
    const details = (await server.app.services.activations.current(token!))!;
    const ticket = new URL(details.qrPayload).searchParams.get('ticket')!;

    expect((await activate(server.url, { ticket })).body.error).toBe('invalid_password');
    const ok = await activate(server.url, { ticket, password });
    expect(ok.status).toBe(200);
    await finish(agent, auth, await agent.submit(waiting, '/step/enrol-token', { action: 'check' }));
  });

  it('activates by manual entry and completes with the registration code', async () => {
    const name = await newUser('manualuser');
    const agent = new UserAgent();
    const { auth, page } = await passwordAndPin(agent, name);
    const waiting = await agent.follow(await agent.submit(page, '/step/enrol-token', { action: 'choose-softtoken' }));
    const serial = /id="activation-serial">(\d{10})</.exec(waiting.html)![1]!;
    const activationCode = /id="activation-code">([\d-]+)</.exec(waiting.html)![1]!;
    const address = /id="activation-address">([^<]+)</.exec(waiting.html)![1]!;
    expect(activationCode.replace(/-/g, '')).toHaveLength(16);

    expect((await activate(address, { serial, activationCode: '0000-0000-0000-0000' })).body.error).toBe('invalid_activation_code');
    const result = await activate(address, { serial, activationCode });
    expect(result.status).toBe(200);
    expect(result.body.registrationRequired).toBe(true);

    const form = await agent.follow(await agent.submit(waiting, '/step/enrol-token', { action: 'check' }));
    expect(form.html).toContain('Registration code shown by the app');
    const wrong = await agent.submit(form, '/step/enrol-token', { action: 'register', code: '1234567890' });
    expect(wrong.html).toContain('The registration code is incorrect');
    const claims = await finish(agent, auth, await agent.submit(wrong, '/step/enrol-token', { action: 'register', code: registrationCode(result.secret!) }));
    expect(claims.sub).toBeTruthy();
    const user = (await server.app.services.users.findByLogin(name))!;
    expect((await server.app.services.tokens.list(user.id)).map((t) => t.state)).toEqual(['active']);
  });
});
