// "I have misplaced my token": security questions, then a possession factor the account already had
// (a PIN to the address on file), then a new token, then back to the application — never without
// the password, never for a locked account, and never claimed as more than was proven.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fromBase32, totpCode } from '../../src/tokens/totp.js';
import { exchange, isCallback, openLogin, registerRelyingParty, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { createEnrolledUser } from '../support/enrolled-user.js';
import { mailText } from '../support/mail-text.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

const params = { algorithm: 'SHA1' as const, digits: 6 as const, period: 30 };

describe('lost token recovery through security questions', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let rp: RelyingParty;
  let offset = 0;
  const now = () => Date.now() + offset;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({
      env: { SMTP_URL: await smtp.start(), REQUIRE_SOFT_TOKEN: 'true', LOCKOUT_THRESHOLD: '3' },
      overrides: { clock: { now } },
    });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  async function enrolledUser(name: string) {
    const enrolled = await createEnrolledUser(server, name, now);
    offset += 30_000;
    return enrolled;
  }

  const answerFor = (question: string) =>
    ({ 'What was the name of your first pet?': ' rex ', 'In what city were you born?': '  PARIS ', 'What was the make of your first car?': 'volvo' })[question]!;

  async function toTokenPage(agent: UserAgent, name: string) {
    const auth = await startAuthorization(rp);
    const login = await openLogin(agent, auth);
    const page = await agent.follow(await agent.submit(login, '/step/password', { login: name, password: `${name} password 1` }));
    return { auth, page };
  }

  function askedQuestions(html: string): string[] {
    return [...html.matchAll(/<label for="a\d+">([^<]+)<\/label>/g)].map((m) => m[1]!.replace(/&#39;/g, "'"));
  }

  it('recreates the token after right answers; the old token stops working, the new one works', async () => {
    const { user, secret: oldSecret } = await enrolledUser('dora');
    const agent = new UserAgent();
    const { auth, page } = await toTokenPage(agent, 'dora');
    // One link, in plain words (the duplicate "I can't answer this type of challenge" is gone).
    expect(page.html.match(/I have misplaced my token/g)).toHaveLength(1);
    expect(page.html).not.toContain("I can't answer this type of challenge");
    const questions = await agent.follow(await agent.submit(page, '/step/totp', { action: 'lost' }));
    const asked = askedQuestions(questions.html);
    expect(asked).toHaveLength(2);

    const wrong = await agent.submit(questions, '/step/recover', { action: 'answer', a1: 'nope', a2: 'nope' });
    expect(wrong.html).toContain('One or more answers are incorrect.');
    expect(wrong.html).toContain('Wrong answers left before the account is locked: 2.');
    expect((await server.app.services.users.findById(user.id))!.failedLogins).toBe(1);

    const answers = Object.fromEntries(asked.map((q, i) => [`a${i + 1}`, answerFor(q)]));
    const actions = await agent.follow(await agent.submit(wrong, '/step/recover', { action: 'answer', ...answers }));
    expect(actions.html).toContain("I'd like to recreate my soft token since I deleted its identity from my device");
    expect(actions.html).toContain('Recreating your soft token means the one you lost stops working at once and you set up a new one on your device now.');
    const confirm = await agent.follow(await agent.submit(actions, '/step/recover', { action: 'recreate' }));
    expect(confirm.html).toContain('Are you sure?');
    const seen = smtp.messages.length;
    // Questions are knowledge, like the password: a PIN to the address on file comes next.
    const pinPage = await agent.follow(await agent.submit(confirm, '/step/recover', { action: 'confirm' }));
    expect(pinPage.html).toContain('name="pin"');
    const mails = [mailText((await smtp.next('dora@example.com', seen)).raw), mailText((await smtp.next('dora@example.com', seen + 1)).raw)];
    expect(mails.some((m) => m.includes('recreated'))).toBe(true);
    const pin = pinFrom(mails.find((m) => !m.includes('recreated'))!);
    const choose = await agent.follow(await agent.submit(pinPage, '/step/pin', { action: 'verify', pin }));
    expect(choose.html).toContain('Set up your soft token');

    const qr = await agent.follow(await agent.submit(choose, '/step/enrol-token', { action: 'choose-app' }));
    const newSecret = fromBase32(/id="secret-key"[^>]*>([A-Z2-7 ]+)</.exec(qr.html)![1]!);
    // A new second factor set up in a sign-in comes with recovery codes (the account had none), shown once.
    const codes = await agent.follow(await agent.submit(qr, '/step/enrol-token', { action: 'verify-app', code: totpCode(newSecret, params, now()) }));
    expect(codes.html).toContain('Save your recovery codes');
    const done = await agent.follow(await agent.submit(codes, '/step/recovery-codes', { action: 'saved' }), isCallback);
    expect(isCallback(done.url)).toBe(true);
    // Enrolling the new token proved nothing: the factors are the password, the answers and the PIN.
    const claims = (await exchange(rp, auth, done.url)).claims()!;
    expect(claims.amr).toEqual(['pwd', 'kba', 'mail', 'mfa']);
    expect(claims.acr).toBe('urn:idp:acr:mfa');

    offset += 30_000;
    const second = new UserAgent();
    const again = await toTokenPage(second, 'dora');
    const old = await second.submit(again.page, '/step/totp', { action: 'verify', code: totpCode(oldSecret, params, now()) });
    expect(old.html).toContain('The code is incorrect or has expired.');
    const ok = await second.follow(await second.submit(old, '/step/totp', { action: 'verify', code: totpCode(newSecret, params, now()) }), isCallback);
    expect(isCallback(ok.url)).toBe(true);

    // The lost token's secret is gone: it cannot simply be enabled again, only reactivated or deleted.
    const lost = (await server.app.services.tokens.list(user.id)).find((t) => t.state === 'disabled')!;
    expect(lost.secret).toBeNull();
    await expect(server.app.services.tokenLifecycle.enable(user, lost.id)).rejects.toMatchObject({ code: 'token.not_disabled' });
  });

  it('with recovery.requirePossession off, settles at one factor and the two-factor application is refused', async () => {
    await enrolledUser('gina');
    server.config.recovery.requirePossession = false;
    try {
      const agent = new UserAgent();
      const { page } = await toTokenPage(agent, 'gina');
      const questions = await agent.follow(await agent.submit(page, '/step/totp', { action: 'lost' }));
      const answers = Object.fromEntries(askedQuestions(questions.html).map((q, i) => [`a${i + 1}`, answerFor(q)]));
      const actions = await agent.follow(await agent.submit(questions, '/step/recover', { action: 'answer', ...answers }));
      const confirm = await agent.follow(await agent.submit(actions, '/step/recover', { action: 'recreate' }));
      const refused = await agent.follow(await agent.submit(confirm, '/step/recover', { action: 'confirm' }), isCallback);
      expect(isCallback(refused.url)).toBe(true);
      expect(new URL(refused.url).searchParams.get('error')).toBe('unmet_authentication_requirements');
    } finally {
      server.config.recovery.requirePossession = true;
    }
  });

  it('locks the account after too many wrong answers, and a locked account cannot recover', async () => {
    const { user } = await enrolledUser('eve');
    const agent = new UserAgent();
    const { page } = await toTokenPage(agent, 'eve');
    let current = await agent.follow(await agent.submit(page, '/step/totp', { action: 'lost' }));
    for (let i = 0; i < 3; i++) current = await agent.submit(current, '/step/recover', { action: 'answer', a1: 'wrong', a2: 'wrong' });
    expect(current.status).toBe(423);
    expect(current.html).toContain('This account is locked');
    expect((await server.app.services.users.findById(user.id))!.lockedAt).not.toBeNull();

    const fresh = new UserAgent();
    const { page: blocked } = await toTokenPage(fresh, 'eve');
    expect(blocked.html).toContain('This account is locked');
    expect(blocked.html).not.toContain('I have misplaced my token');
  });

  it('weighs no more answers than the account has tries, however many come at once', async () => {
    const { user } = await enrolledUser('fay');
    const agent = new UserAgent();
    const { page } = await toTokenPage(agent, 'fay');
    const questions = await agent.follow(await agent.submit(page, '/step/totp', { action: 'lost' }));
    // Ten wrong answers sent at once from the questions page.
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => agent.submit(questions, '/step/recover', { action: 'answer', a1: `guess ${i}`, a2: 'guess' })));
    const weighed = (await server.app.services.audit.list({ type: 'qa.challenge', limit: 1000 })).filter((e) => e.subject === user.id);
    expect(weighed).toHaveLength(3);
    // Two told they are wrong, the third locks; the others are refused unweighed (tries under way, or locked by then).
    expect(answers.filter((a) => a.status === 400 && a.html.includes('One or more answers are incorrect.'))).toHaveLength(2);
    expect(answers.filter((a) => a.status === 423 && a.html.includes('This account is locked')).length).toBeGreaterThanOrEqual(1);
    expect(answers.every((a) => [400, 423, 429].includes(a.status))).toBe(true);
    const row = (await server.app.services.users.findById(user.id))!;
    expect(row.lockedAt).not.toBeNull();
    expect(row.failedLogins).toBe(3);
  });

  it('"I found my token" on every recovery page goes back to its code, nothing changed', async () => {
    const { secret } = await enrolledUser('hana');
    const agent = new UserAgent();
    const { auth, page } = await toTokenPage(agent, 'hana');
    const questions = await agent.follow(await agent.submit(page, '/step/totp', { action: 'lost' }));
    const answers = Object.fromEntries(askedQuestions(questions.html).map((q, i) => [`a${i + 1}`, answerFor(q)]));
    const actions = await agent.follow(await agent.submit(questions, '/step/recover', { action: 'answer', ...answers }));
    const confirm = await agent.follow(await agent.submit(actions, '/step/recover', { action: 'recreate' }));
    for (const recoveryPage of [questions, actions, confirm]) expect(recoveryPage.html).toContain('I found my token');
    const back = await agent.follow(await agent.submit(confirm, '/step/recover', { action: 'found' }));
    expect(back.html).toContain('Enter your soft token code');
    const done = await agent.follow(await agent.submit(back, '/step/totp', { action: 'verify', code: totpCode(secret, params, now()) }), isCallback);
    expect((await exchange(rp, auth, done.url)).claims()!.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('cannot be entered without the password', async () => {
    await enrolledUser('frank');
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const login = await openLogin(agent, auth);
    const uid = /\/interaction\/([^/]+)\/step\/password/.exec(login.html)![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.html)![1]!;
    for (const [step, action] of [['recover', 'answer'], ['totp', 'lost'], ['recover', 'recreate']]) {
      const res = await agent.post(`${server.url}/interaction/${uid}/step/${step}`, { _csrf: csrf, action: action! });
      expect(res.html).toContain('That page is out of date');
      expect(res.html).toContain('name="password"');
    }
  });
});
