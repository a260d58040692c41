// My Profile (/account): a signed-in user manages their own soft tokens and security questions.
// Every change needs a recent full sign-in, is audited and is announced by e-mail. (The password and
// sessions: portal-password.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registrationCode } from '../../src/tokens/activation-crypto.js';
import { fromBase32, totpCode } from '../../src/tokens/totp.js';
import { TokenActivationEntity } from '../../src/persistence/entities/token-activation.entity.js';
import { createEnrolledUser, totpParams } from '../support/enrolled-user.js';
import { mailText } from '../support/mail-text.js';
import { PortalHarness, REAUTH_SECONDS } from '../support/portal-harness.js';
import { activate } from '../support/softtoken-device.js';
import type { TestServer } from '../support/test-server.js';
import type { SmtpCapture } from '../support/smtp-capture.js';
import { type Page, UserAgent } from '../support/user-agent.js';

describe('My Profile', () => {
  let p: PortalHarness;
  let server: TestServer;
  let smtp: SmtpCapture;
  const now = () => p.now();

  beforeAll(async () => {
    p = await PortalHarness.start();
    ({ server, smtp } = p);
  });

  afterAll(async () => p?.close());

  const signIn = (agent: UserAgent, username: string, secret: Uint8Array, start?: string): Promise<Page> => p.signIn(agent, username, secret, start);
  const user = (username: string) => p.user(username);
  const post = (agent: UserAgent, from: Page, action: string, fields?: Record<string, string>) => p.post(agent, from, action, fields);
  const tokensOf = (userId: string) => server.app.services.tokens.list(userId);
  const auditTypes = async (userId: string) => (await server.app.services.audit.list({ subject: userId })).map((e) => e.type);
  const mailsTo = (address: string, after: number) => p.mailsTo(address, after);

  it('asks for a full sign-in, then shows the profile and every soft token', async () => {
    const { agent, page, token } = await user('amy');
    expect(page.url).toBe(`${server.url}/account`);
    expect(page.html).toContain('<h1>My Profile</h1>');
    expect(page.html).toContain('amy@example.com');
    expect(page.html).toContain(token.serial);
    expect(page.html).toContain('What was the name of your first pet?');
    expect(page.html).not.toContain('Rex');
    // Signed out, the pages are gone.
    const confirm = await post(agent, page, '/account/logout');
    expect(confirm.html).toContain('Yes, sign me out');
    const out = await agent.follow(await agent.submit(confirm, '/session/end/confirm', { logout: 'yes' }));
    expect(out.url).toBe(`${server.url}/account/signed-out`);
    expect(out.html).toContain('You are signed out');
    const again = await agent.get(`${server.url}/account`);
    expect(again.status).toBe(302);
    expect(again.location).toContain('/auth?');
  });

  it('adds an authenticator app: a wrong first code is refused, the right one activates it and e-mails a notice', async () => {
    const { agent, user: u } = await user('ben');
    const chooser = await agent.get(`${server.url}/account/tokens/new`);
    expect(chooser.html).toContain('Mobile');
    expect(chooser.html).toContain('Desktop');
    const missing = await post(agent, chooser, '/account/tokens', { device: '', method: 'app' });
    expect(missing.html).toContain('Choose whether the soft token goes on a mobile device or a desktop computer.');
    expect(await tokensOf(u.id)).toHaveLength(1);

    const setup = await post(agent, missing, '/account/tokens', { device: 'desktop', method: 'app', name: 'Work laptop' });
    expect(setup.html).toContain('Set up your authenticator app');
    const key = fromBase32(/id="secret-key"[^>]*>([^<]+)</.exec(setup.html)![1]!);
    const wrong = await post(agent, setup, '/setup', { action: 'verify-app', code: '000000' });
    expect(wrong.html).toContain('The code is incorrect or has expired.');
    const before = smtp.messages.length;
    const done = await post(agent, wrong, '/setup', { action: 'verify-app', code: totpCode(key, totpParams, now()) });
    expect(done.url).toBe(`${server.url}/account`);
    expect(done.html).toContain('Your soft token is active.');
    expect((await tokensOf(u.id)).map((t) => [t.name, t.state])).toEqual([
      ['Authenticator app', 'active'],
      ['Work laptop', 'active'],
    ]);
    await smtp.next('ben@example.com', before);
    expect(mailsTo('ben@example.com', before).join('\n')).toContain('A soft token was added to your account ("Work laptop"');
    expect(await auditTypes(u.id)).toEqual(expect.arrayContaining(['token.created', 'token.activated']));
  });

  it('adds a soft token app by manual activation and completes it with the registration code', async () => {
    const { agent, user: u } = await user('cleo');
    const chooser = await agent.get(`${server.url}/account/tokens/new`);
    const before = smtp.messages.length;
    const setup = await post(agent, chooser, '/account/tokens', { device: 'mobile', method: 'softtoken' });
    expect(setup.html).toContain('Activate your soft token app');
    const activationMail = mailText((await smtp.next('cleo@example.com', before)).raw);
    const serial = /id="activation-serial">(\d{10})</.exec(setup.html)![1]!;
    const activationCode = /id="activation-code">([\d-]+)</.exec(setup.html)![1]!;
    const address = /id="activation-address">([^<]+)</.exec(setup.html)![1]!;
    expect(activationMail).toContain(serial);
    const pending = (await tokensOf(u.id)).find((t) => t.serial === serial)!;
    expect(pending.name).toBe('Mobile soft token');

    // "Send e-mail again" while it waits.
    const resent = await post(agent, setup, '/setup', { action: 'resend' });
    expect(resent.html).toContain('We sent the activation e-mail to');

    const device = await activate(address, { serial, activationCode });
    expect(device.body.registrationRequired).toBe(true);
    const form = await agent.get(`${server.url}/account/tokens/${pending.id}/setup`);
    expect(form.html).toContain('Complete Token Activation');
    const wrong = await post(agent, form, '/setup', { action: 'register', code: '1234567890' });
    expect(wrong.html).toContain('The registration code is incorrect.');
    const done = await post(agent, wrong, '/setup', { action: 'register', code: registrationCode(device.secret!) });
    expect(done.html).toContain('Your soft token is active.');
    expect((await tokensOf(u.id)).find((t) => t.id === pending.id)!.state).toBe('active');
  });

  it('renames, disables, enables and deletes a token, but never the last active one', async () => {
    const { agent, page, user: u, token } = await user('dan');
    const renamed = await post(agent, page, `/account/tokens/${token.id}/rename`, { name: 'Phone' });
    expect(renamed.html).toContain('The soft token was renamed.');
    expect((await tokensOf(u.id))[0]!.name).toBe('Phone');

    const lastDisable = await post(agent, renamed, `/account/tokens/${token.id}/disable`);
    expect(lastDisable.html).toContain('This is the only active soft token on the account, and the account must have one.');
    const lastDelete = await post(agent, lastDisable, `/account/tokens/${token.id}/delete`, { confirm: 'yes' });
    expect(lastDelete.html).toContain('This is the only active soft token on the account');
    const lastReactivate = await post(agent, lastDelete, `/account/tokens/${token.id}/reactivate`, { confirm: 'yes' });
    expect(lastReactivate.html).toContain('This is the only active soft token on the account');
    expect((await tokensOf(u.id)).map((t) => t.state)).toEqual(['active']);

    // With a second active token, the first may go.
    const second = await server.app.services.tokens.createForApp(u, 'Tablet');
    await server.app.services.tokens.completeWithCode(u.id, second.token.id, totpCode(fromBase32(second.key), totpParams, now()));
    const taken = await post(agent, lastDelete, `/account/tokens/${token.id}/rename`, { name: 'tablet' });
    expect(taken.html).toContain('You already have a soft token with that name.');
    const disabled = await post(agent, taken, `/account/tokens/${token.id}/disable`);
    expect(disabled.html).toContain('The soft token was disabled.');
    const enabled = await post(agent, disabled, `/account/tokens/${token.id}/enable`);
    expect(enabled.html).toContain('The soft token was enabled.');
    const before = smtp.messages.length;
    const deleted = await post(agent, enabled, `/account/tokens/${token.id}/delete`, { confirm: 'yes' });
    expect(deleted.html).toContain('The soft token was deleted.');
    expect((await tokensOf(u.id)).map((t) => t.name)).toEqual(['Tablet']);
    await smtp.next('dan@example.com', before);
    expect(mailsTo('dan@example.com', before).join('\n')).toContain('A soft token was deleted from your account ("Phone"');
    expect(await auditTypes(u.id)).toEqual(expect.arrayContaining(['token.renamed', 'token.disabled', 'token.enabled', 'token.deleted']));
  });

  it('reactivates a token whose activation expired: new details, a new e-mail, the old code dead', async () => {
    const { agent, user: u } = await user('eve');
    const chooser = await agent.get(`${server.url}/account/tokens/new`);
    const setup = await post(agent, chooser, '/account/tokens', { device: 'desktop', method: 'softtoken', name: 'Desk' });
    const serial = /id="activation-serial">(\d{10})</.exec(setup.html)![1]!;
    const oldCode = /id="activation-code">([\d-]+)</.exec(setup.html)![1]!;
    const address = /id="activation-address">([^<]+)</.exec(setup.html)![1]!;
    const desk = (await tokensOf(u.id)).find((t) => t.serial === serial)!;
    // The activation lapses (arranged in the database rather than waiting seven days).
    await server.app.ds.getRepository(TokenActivationEntity).update({ tokenId: desk.id }, { expiresAt: now() - 1 });
    await server.app.services.tokens.update(desk, { activationExpiresAt: now() - 1 });
    expect((await activate(address, { serial, activationCode: oldCode })).body.error).toBe('activation_expired');

    const lapsed = await agent.get(`${server.url}/account/tokens/${desk.id}/setup`);
    expect(lapsed.html).toContain('The activation has expired.');
    const notYet = await post(agent, lapsed, '/setup', { action: 'check' });
    expect(notYet.html).toContain('The soft token is not active yet.');
    expect((await tokensOf(u.id)).find((t) => t.id === desk.id)!.state).toBe('pending');

    const profile = await agent.get(`${server.url}/account`);
    expect(profile.html).toContain('activation expired — reactivate it');
    const before = smtp.messages.length;
    const again = await post(agent, profile, `/account/tokens/${desk.id}/reactivate`, { confirm: 'yes' });
    expect(again.html).toContain('The soft token was reactivated');
    const newCode = /id="activation-code">([\d-]+)</.exec(again.html)![1]!;
    expect(newCode).not.toBe(oldCode);
    await smtp.next('eve@example.com', before);
    const mails = mailsTo('eve@example.com', before).join('\n');
    expect(mails).toContain('Your soft token was reactivated');
    expect((await activate(address, { serial, activationCode: oldCode })).status).toBeGreaterThanOrEqual(400);
    const device = await activate(address, { serial, activationCode: newCode });
    expect(device.status).toBe(200);
  });

  it('changes the security questions: normalised, hashed, announced; too few are refused', async () => {
    const { agent, user: u } = await user('fay');
    const form = await agent.get(`${server.url}/account/questions`);
    const tooFew = await post(agent, form, '/account/questions', { q1: 'What was the name of your first pet?', a1: 'Rex' });
    expect(tooFew.html).toContain('at least 3');
    expect(await server.app.services.questions.questionsOf(u.id)).toContain('What was the make of your first car?');

    const before = smtp.messages.length;
    const saved = await post(agent, tooFew, '/account/questions', {
      q1: 'What was the name of your first school?',
      a1: '  Saint   Anne ',
      own2: 'Which street did you grow up on?',
      a2: 'Elm Street',
      q3: 'In what city were you born?',
      a3: 'Lyon',
    });
    expect(saved.html).toContain('Your security questions were changed.');
    expect(saved.html).toContain('Which street did you grow up on?');
    expect(saved.html).not.toContain('Elm Street');
    const asked = await server.app.services.questions.questionsOf(u.id);
    expect(asked).toHaveLength(3);
    // The stored answer matches its normalised form.
    await expect(server.app.services.questions.verify(u.id, ['What was the name of your first school?'], ['saint anne'])).resolves.toBeUndefined();
    await smtp.next('fay@example.com', before);
    expect(mailsTo('fay@example.com', before).join('\n')).toContain('Your security questions were changed');
    expect(await auditTypes(u.id)).toContain('qa.changed');
  });

  it('refuses a change when the sign-in is not recent, then allows it after confirming with both factors', async () => {
    const { agent, user: u, token, secret } = await user('gus');
    const second = await server.app.services.tokens.createForApp(u, 'Spare');
    await server.app.services.tokens.completeWithCode(u.id, second.token.id, totpCode(fromBase32(second.key), totpParams, now()));
    p.tick((REAUTH_SECONDS + 1) * 1000);

    // A pending token's secret is not shown to a stale session, nor can it be completed there.
    const pending = await server.app.services.tokens.createForApp(u, 'Pending');
    const hidden = await agent.get(`${server.url}/account/tokens/${pending.token.id}/setup`);
    expect(hidden.status).toBe(302);
    expect(hidden.location).toContain('/account/reauth?return=');
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get(`${server.url}/account`)).html)![1]!;
    const code = totpCode(fromBase32(pending.key), totpParams, now());
    const sneaked = await agent.post(`${server.url}/account/tokens/${pending.token.id}/setup`, { _csrf: csrf, action: 'verify-app', code });
    expect(sneaked.status).toBe(303);
    // Back to the setup page, which sends the user to confirm it is them.
    expect((await agent.get(new URL(sneaked.location!, server.url).href)).location).toContain('/account/reauth?return=');
    expect((await server.app.services.tokens.get(u.id, pending.token.id)).state).toBe('pending');

    const stale = await agent.get(`${server.url}/account`);
    expect(stale.html).toContain("confirm it's you");
    const refused = await post(agent, stale, `/account/tokens/${token.id}/delete`);
    expect(refused.html).toContain('For your security, confirm it is you');
    expect((await tokensOf(u.id)).map((t) => t.id)).toContain(token.id);
    const questions = await agent.get(`${server.url}/account/questions`);
    const refusedQa = await post(agent, questions, '/account/questions', {
      q1: 'What was the name of your first school?', a1: 'x1',
      q2: 'In what city were you born?', a2: 'x2',
      q3: 'What was the make of your first car?', a3: 'x3',
    });
    expect(refusedQa.html).toContain('For your security, confirm it is you');

    // "Confirm it's you": a new sign-in with password and second factor even though a session exists.
    const confirm = /href="(\/account\/reauth\?return=[^"]+)"/.exec(refused.html)![1]!.replace(/&amp;/g, '&');
    const back = await signIn(agent, 'gus', secret, `${server.url}${confirm}`);
    expect(back.url).toBe(`${server.url}/account`);
    expect(back.html).not.toContain("confirm it's you");
    const deleted = await post(agent, back, `/account/tokens/${token.id}/delete`, { confirm: 'yes' });
    expect(deleted.html).toContain('The soft token was deleted.');
    expect((await tokensOf(u.id)).map((t) => t.id)).not.toContain(token.id);
  });

  it("cannot touch another user's tokens, and refuses forms without the CSRF token", async () => {
    const hal = await user('hal');
    const ivy = await createEnrolledUser(server, 'ivy', now);
    const page = await hal.agent.get(`${server.url}/account`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const foreign = await hal.agent.follow(await hal.agent.post(`${server.url}/account/tokens/${ivy.token.id}/disable`, { _csrf: csrf }));
    expect(foreign.html).toContain('No such soft token.');
    expect((await tokensOf(ivy.user.id))[0]!.state).toBe('active');
    const noCsrf = await hal.agent.post(`${server.url}/account/tokens/${hal.token.id}/rename`, { name: 'Hacked' });
    // Back to the form's page (a fresh token) with a notice; nothing changed.
    expect(noCsrf.status).toBe(303);
    expect((await hal.agent.follow(noCsrf)).html).toContain('Your form has expired.');
    expect((await tokensOf(hal.user.id))[0]!.name).toBe('Authenticator app');
  });
});
