// Recovery codes: made and shown once after the first second factor is set up (in the sign-in, and in
// My Profile), each a possession factor that works once at the second-factor step, with a notice on
// each use; regenerated from My Profile after a recent sign-in (voiding the old set); seen and
// voided by administrators.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RecoveryCodeEntity } from '../../src/persistence/entities/recovery-code.entity.js';
import { fromBase32, totpCode } from '../../src/tokens/totp.js';
import { serviceAccount } from '../support/admin-api.js';
import { createEnrolledUser, enrolledAnswers, totpParams } from '../support/enrolled-user.js';
import { PortalHarness, REAUTH_SECONDS } from '../support/portal-harness.js';
import { exchange, isCallback, openLogin, registerRelyingParty, type RelyingParty, startAuthorization } from '../support/relying-party.js';
import { mailText } from '../support/mail-text.js';
import { pinFrom } from '../support/smtp-capture.js';
import type { TestServer } from '../support/test-server.js';
import { type Page, UserAgent } from '../support/user-agent.js';

const CODE = /<li><code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<\/code><\/li>/g;
const codesIn = (html: string) => [...html.matchAll(CODE)].map((m) => m[1]!);

describe('recovery codes', () => {
  let p: PortalHarness;
  let server: TestServer;
  let rp: RelyingParty;

  beforeAll(async () => {
    p = await PortalHarness.start();
    server = p.server;
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => p?.close());

  /** Password, then the page of the second factor. */
  async function toSecondFactor(agent: UserAgent, name: string) {
    p.tick(30_000);
    const auth = await startAuthorization(rp);
    const login = await openLogin(agent, auth);
    return { auth, page: await agent.follow(await agent.submit(login, '/step/password', { login: name, password: `${name} password 1` })) };
  }

  /** From the soft token page to the recovery code page, then one code; returns the page after it. */
  async function useCode(agent: UserAgent, from: Page, code: string): Promise<Page> {
    const form = await agent.follow(await agent.submit(from, '/step/recovery-code', { action: 'choose' }));
    expect(form.html).toContain('<h1>Use a recovery code</h1>');
    return agent.follow(await agent.submit(form, '/step/recovery-code', { action: 'verify', code }), isCallback);
  }

  it('are shown once after the first sign-in sets up a soft token; each signs in once, with a notice', async () => {
    const s = server.app.services;
    const user = await s.users.create({ username: 'rita', email: 'rita@example.com', password: 'rita password 1' });
    const agent = new UserAgent();
    const seen = p.smtp.messages.length;
    const { auth, page: pinPage } = await toSecondFactor(agent, 'rita');
    const pin = await pinTo('rita@example.com', seen);
    const choose = await agent.follow(await agent.submit(pinPage, '/step/pin', { action: 'verify', pin }));
    const qr = await agent.follow(await agent.submit(choose, '/step/enrol-token', { action: 'choose-app' }));
    const secret = fromBase32(/id="secret-key"[^>]*>([A-Z2-7 ]+)</.exec(qr.html)![1]!);
    let questions = await agent.follow(await agent.submit(qr, '/step/enrol-token', { action: 'verify-app', code: totpCode(secret, totpParams, p.now()) }));
    questions = await agent.follow(await agent.submit(questions, '/step/enrol-questions', { action: 'save', q1: 'What was the name of your first pet?', a1: 'Rex', q2: 'In what city were you born?', a2: 'Oslo', own3: 'What is my lucky number?', a3: 'Seven' }));

    const shown = questions;
    expect(shown.html).toContain('Save your recovery codes');
    const codes = codesIn(shown.html);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    // Download as a text file (a data: link) and copy (a static script): no inline script.
    const download = decodeURIComponent(/href="data:text\/plain;charset=utf-8,([^"]+)" download="recovery-codes.txt"/.exec(shown.html)![1]!);
    for (const code of codes) expect(download).toContain(code);
    expect(shown.html).toContain('<script src="/static/recovery-codes.js" defer></script>');
    expect(shown.html).not.toMatch(/<script>/);
    // A reload shows the same set; the database keeps keyed hashes only.
    expect(codesIn((await agent.get(shown.url)).html)).toEqual(codes);
    const rows = await s.ds.getRepository(RecoveryCodeEntity).findBy({ userId: user.id });
    expect(rows).toHaveLength(10);
    for (const code of codes) expect(JSON.stringify(rows)).not.toContain(code.replace(/-/g, ''));

    const done = await agent.follow(await agent.submit(shown, '/step/recovery-codes', { action: 'saved' }), isCallback);
    expect((await exchange(rp, auth, done.url)).claims()!.amr).toEqual(['pwd', 'mail', 'mfa']);

    // The next sign-in offers them beside the soft token; a wrong one counts towards the lockout.
    const next = new UserAgent();
    const second = await toSecondFactor(next, 'rita');
    expect(second.page.html).toContain('Use a recovery code');
    const form = await next.follow(await next.submit(second.page, '/step/recovery-code', { action: 'choose' }));
    const wrong = await next.submit(form, '/step/recovery-code', { action: 'verify', code: 'AAAA-AAAA-AAAA' });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('The recovery code is incorrect or was already used.');
    expect(wrong.html).toContain('Wrong answers left before the account is locked: 4.');
    // Any case, without dashes, O for 0 and I or L for 1: what people type.
    const typed = codes[0]!.replace(/-/g, '').toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l');
    const before = p.smtp.messages.length;
    const signedIn = await next.follow(await next.submit(wrong, '/step/recovery-code', { action: 'verify', code: typed }), isCallback);
    const claims = (await exchange(rp, second.auth, signedIn.url)).claims()!;
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.acr).toBe('urn:idp:acr:mfa');
    await p.smtp.next('rita@example.com', before);
    const notice = p.mailsTo('rita@example.com', before).join('\n');
    expect(notice).toContain('A recovery code was used to sign in to your account');
    expect(notice).toContain('Recovery codes left: 9');
    expect(await s.recoveryCodes.status(user.id)).toMatchObject({ total: 10, remaining: 9 });

    // The same code again: refused.
    const third = new UserAgent();
    const again = await useCode(third, (await toSecondFactor(third, 'rita')).page, codes[0]!);
    expect(again.html).toContain('The recovery code is incorrect or was already used.');
    // A code of another account is nothing to this one.
    const other = await s.users.create({ username: 'otto', email: 'otto@example.com', password: 'otto password 1' });
    const [foreign] = await s.recoveryCodes.generate(other);
    const refused = await third.follow(await third.submit(again, '/step/recovery-code', { action: 'verify', code: foreign! }), isCallback);
    expect(refused.html).toContain('The recovery code is incorrect or was already used.');
    const types = (await s.audit.list({ subject: user.id, type: 'recovery_code.used' })).map((e) => e.outcome);
    expect(types.filter((o) => o === 'failure')).toHaveLength(3);
  });

  it('prove possession after the questions of a misplaced token, then a new token is set up', async () => {
    const s = server.app.services;
    const { user } = await createEnrolledUser(server, 'vic', p.now);
    const [code] = await s.recoveryCodes.generate(user);
    const agent = new UserAgent();
    const { auth, page } = await toSecondFactor(agent, 'vic');
    const questions = await agent.follow(await agent.submit(page, '/step/totp', { action: 'lost' }));
    const answers = Object.fromEntries([...questions.html.matchAll(/<label for="(a\d+)">([^<]+)<\/label>/g)].map(([, id, q]) => [id!, enrolledAnswers.find((e) => e.question === q!.replace(/&#39;/g, "'"))!.answer]));
    const actions = await agent.follow(await agent.submit(questions, '/step/recover', { action: 'answer', ...answers }));
    const confirm = await agent.follow(await agent.submit(actions, '/step/recover', { action: 'recreate' }));
    // The questions are knowledge: a possession factor on file comes next — the PIN, or a recovery code.
    const pinPage = await agent.follow(await agent.submit(confirm, '/step/recover', { action: 'confirm' }));
    expect(pinPage.html).toContain('name="pin"');
    const enrol = await useCode(agent, pinPage, code!);
    const qr = await agent.follow(await agent.submit(enrol, '/step/enrol-token', { action: 'choose-app' }));
    const secret = fromBase32(/id="secret-key"[^>]*>([A-Z2-7 ]+)</.exec(qr.html)![1]!);
    // Nine codes are left: no new set to show.
    const done = await agent.follow(await agent.submit(qr, '/step/enrol-token', { action: 'verify-app', code: totpCode(secret, totpParams, p.now()) }), isCallback);
    const claims = (await exchange(rp, auth, done.url)).claims()!;
    expect(claims.amr).toEqual(['pwd', 'kba', 'otp', 'mfa']);
    expect(claims.acr).toBe('urn:idp:acr:mfa');
  });

  it('are counted in My Profile and made anew there after a recent sign-in, which voids the old set', async () => {
    const { agent, page, user, secret } = await p.user('sam');
    const s = server.app.services;
    expect(page.html).toContain('You have no recovery codes.');
    const [oldCode, spent] = await s.recoveryCodes.generate(user);
    await s.recoveryCodes.consume(user, spent!);
    const profile = await agent.get(`${server.url}/account`);
    expect(profile.html).toMatch(/<strong>9 of 10<\/strong> recovery codes left/);

    // After the recent sign-in has passed, a new set needs a new full sign-in first.
    p.tick((REAUTH_SECONDS + 1) * 1000);
    const codesPage = await agent.get(`${server.url}/account/recovery-codes`);
    expect(codesPage.html).toContain('9 of 10');
    const stale = await p.post(agent, codesPage, '/account/recovery-codes');
    expect(stale.url).toBe(`${server.url}/account/recovery-codes`);
    expect(stale.html).toContain('For your security, confirm it is you');
    expect(await s.recoveryCodes.status(user.id)).toMatchObject({ remaining: 9 });

    const fresh = await p.signIn(agent, 'sam', secret, `${server.url}/account/reauth?return=%2Faccount%2Frecovery-codes`);
    expect(fresh.url).toBe(`${server.url}/account/recovery-codes`);
    const before = p.smtp.messages.length;
    const made = await p.post(agent, fresh, '/account/recovery-codes');
    const codes = codesIn(made.html);
    expect(codes).toHaveLength(10);
    expect(made.html).toContain('This is the only time they are shown');
    expect(await s.recoveryCodes.status(user.id)).toMatchObject({ total: 10, remaining: 10 });
    await expect(s.recoveryCodes.consume(user, oldCode!)).rejects.toMatchObject({ code: 'recovery_code.invalid' });
    await p.smtp.next('sam@example.com', before);
    expect(p.mailsTo('sam@example.com', before).join('\n')).toContain('New recovery codes were made for your account');
    // Shown once: the page after it only counts them.
    const later = await agent.get(`${server.url}/account/recovery-codes`);
    expect(codesIn(later.html)).toEqual([]);
    expect(later.html).toContain('10 of 10');
  });

  it('are offered after the first second factor set up in My Profile', async () => {
    const s = server.app.services;
    await s.users.create({ username: 'tess', email: 'tess@example.com', password: 'tess password 1' });
    // An account that signs in with PINs (no soft token required) adds its first token in My Profile.
    await s.settings.update({ 'token.required': false });
    try {
      const agent = new UserAgent();
      const seen = p.smtp.messages.length;
      const login = await agent.follow(await agent.get(`${server.url}/account`));
      const pinPage = await agent.follow(await agent.submit(login, '/step/password', { login: 'tess', password: 'tess password 1' }));
      const pin = await pinTo('tess@example.com', seen);
      const profile = await agent.follow(await agent.submit(pinPage, '/step/pin', { action: 'verify', pin }));
      expect(profile.url).toBe(`${server.url}/account`);
      const setup = await p.post(agent, await agent.get(`${server.url}/account/tokens/new`), '/account/tokens', { device: 'mobile', method: 'app' });
      const key = fromBase32(/id="secret-key"[^>]*>([^<]+)</.exec(setup.html)![1]!);
      const offered = await p.post(agent, setup, '/setup', { action: 'verify-app', code: totpCode(key, totpParams, p.now()) });
      expect(offered.url).toBe(`${server.url}/account/recovery-codes`);
      expect(offered.html).toContain('Your soft token is active.');
      expect(offered.html).toContain('You have no recovery codes yet.');
      expect(codesIn((await p.post(agent, offered, '/account/recovery-codes')).html)).toHaveLength(10);
    } finally {
      await s.settings.reset('token.required');
    }
  });

  it('are seen and voided by administrators (audited), never shown to them', async () => {
    const s = server.app.services;
    const user = await s.users.create({ username: 'uma', email: 'uma@example.com', password: 'uma password 1' });
    const helpdesk = await serviceAccount(server, 'codes-helpdesk', 'helpdesk');
    expect((await helpdesk.request('GET', `/users/${user.id}/recovery-codes`)).body).toEqual({ total: 0, remaining: 0, createdAt: null });
    const [code] = await s.recoveryCodes.generate(user);
    const status = await helpdesk.request('GET', `/users/${user.id}/recovery-codes`);
    expect(status.body).toEqual({ total: 10, remaining: 10, createdAt: expect.any(Number) });
    expect(status.text).not.toContain(code!);
    expect((await helpdesk.request('DELETE', `/users/${user.id}/recovery-codes`)).status).toBe(204);
    expect((await helpdesk.request('GET', `/users/${user.id}/recovery-codes`)).body).toMatchObject({ total: 0 });
    await expect(s.recoveryCodes.consume(user, code!)).rejects.toMatchObject({ code: 'recovery_code.invalid' });
    const voided = await s.audit.list({ subject: user.id, type: 'recovery_codes.voided' });
    expect(voided[0]).toMatchObject({ actor: 'client:codes-helpdesk', details: { count: 10 } });
    expect((await helpdesk.request('GET', '/users/nobody/recovery-codes')).status).toBe(404);
  });

  async function pinTo(address: string, seen: number): Promise<string> {
    return pinFrom(mailText((await p.smtp.next(address, seen)).raw));
  }
});
