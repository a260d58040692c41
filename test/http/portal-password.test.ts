// My Profile (/account): the user's password and sessions. A password changed here or elsewhere
// ends every session of the account; a wrong current password counts towards the lockout; "Sign out
// everywhere" ends every session at once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PortalHarness } from '../support/portal-harness.js';
import type { TestServer } from '../support/test-server.js';
import { findForm, type Page, type UserAgent } from '../support/user-agent.js';

describe('My Profile: password and sessions', () => {
  let p: PortalHarness;
  let server: TestServer;

  beforeAll(async () => {
    p = await PortalHarness.start();
    ({ server } = p);
  });

  afterAll(async () => p?.close());

  const user = (username: string) => p.user(username);
  const post = (agent: UserAgent, from: Page, action: string, fields?: Record<string, string>) => p.post(agent, from, action, fields);

  it('ends when the password changes elsewhere: pages ask for a full sign-in again, forms are refused', async () => {
    const { agent, user: u, secret } = await user('pat');
    await server.app.services.userAdmin.setPassword(u.id, 'pat brand new password', { actor: 'admin-test' });
    const again = await agent.get(`${server.url}/account`);
    expect(again.status).toBe(302);
    expect(again.location).toContain('/auth?');
    const page = await p.onlyNewPasswordWorks(agent, await agent.follow(again), 'pat', 'pat brand new password', secret);
    expect(page.url).toBe(`${server.url}/account`);
    expect(page.html).toContain('<h1>My Profile</h1>');

    const other = await user('quin');
    await server.app.services.userAdmin.setPassword(other.user.id, 'quin brand new password', { actor: 'admin-test' });
    const refused = await post(other.agent, other.page, '/account/logout');
    expect(refused.status).toBe(401);
  });

  it('changes the password: the current one first, the rules of a new one, then every session ends', async () => {
    const { agent, page, user: u, secret } = await user('ida');
    expect(page.html).toContain('href="/account/password"');
    const form = await agent.get(`${server.url}/account/password`);
    expect(form.html).toContain('<label for="current-password">Current password</label>');
    const failures = async () => (await server.app.services.users.findById(u.id))!.failedLogins;

    const wrong = await post(agent, form, '/account/password', { current: 'not my password', password: 'ida new password 1', confirm: 'ida new password 1' });
    expect(wrong.html).toContain('Your current password is not correct.');
    expect(await failures()).toBe(1);
    const mismatch = await post(agent, wrong, '/account/password', { current: 'ida password 1', password: 'ida new password 1', confirm: 'ida new password 2' });
    expect(mismatch.html).toContain('The new password and its confirmation are not the same.');
    const short = await post(agent, mismatch, '/account/password', { current: 'ida password 1', password: 'short', confirm: 'short' });
    expect(short.html).toContain('The password must be at least');
    const common = await post(agent, short, '/account/password', { current: 'ida password 1', password: 'Password123', confirm: 'Password123' });
    expect(common.html).toContain('one of the most commonly used');
    const same = await post(agent, common, '/account/password', { current: 'ida password 1', password: 'ida password 1', confirm: 'ida password 1' });
    expect(same.html).toContain('The password was used before.');
    // Nothing changed so far.
    await expect(server.app.services.passwordLogin.authenticate('ida', 'ida password 1', {})).resolves.toMatchObject({ id: u.id });

    const before = p.smtp.messages.length;
    const done = await agent.post(`${server.url}/account/password`, { ...findForm(same.html, '/account/password').hidden, current: 'ida password 1', password: 'ida new password 1', confirm: 'ida new password 1' });
    expect(done.status).toBe(303);
    // This session ended too: the profile asks for a full sign-in, where only the new password works.
    const back = await p.onlyNewPasswordWorks(agent, await agent.follow(done), 'ida', 'ida new password 1', secret);
    expect(back.url).toBe(`${server.url}/account`);
    expect(back.html).toContain('Your password was changed.');
    await p.smtp.next('ida@example.com', before);
    expect(p.mailsTo('ida@example.com', before).join('\n')).toContain('Your password was changed');
    const events = await server.app.services.audit.list({ subject: u.id });
    expect(events.map((e) => [e.type, e.outcome])).toEqual(expect.arrayContaining([['password.change', 'failure'], ['user.password_set', 'success']]));
    expect(events.find((e) => e.type === 'user.password_set')!.actor).toBe(u.id);
  });

  it('signs out everywhere: this session and the single sign-on session end, the user signs in again', async () => {
    const { agent, page, user: u } = await user('kit');
    expect(page.html).toContain('<caption>Sessions at the provider</caption>');
    // The factors in plain words (never pwd, otp, mfa), and the application that took part.
    expect(page.html).toMatch(/<td data-label="Factors">password, (soft token or recovery code|PIN by SMS|PIN by e-mail)<\/td><td data-label="Applications">idp-console<\/td>/);
    const out = await post(agent, page, '/account/sign-out-everywhere', { confirm: 'yes' });
    expect(out.url).toBe(`${server.url}/account/signed-out`);
    expect(out.html).toContain('You are signed out');
    // No single sign-on left at the provider either: the password page, not the profile.
    const again = await agent.follow(await agent.get(`${server.url}/account`));
    expect(again.html).toContain('name="password"');
    const ended = (await server.app.services.audit.list({ subject: u.id })).find((e) => e.type === 'sessions.ended');
    expect(ended).toMatchObject({ actor: u.id, outcome: 'success', details: expect.objectContaining({ reason: 'signed_out_by_user' }) });
  });

  it('counts wrong current passwords towards the lockout, which ends every session of the account', async () => {
    const { agent, user: u } = await user('jon');
    expect(await server.app.services.accountSessions.list(u.id)).toHaveLength(1);
    let page = await agent.get(`${server.url}/account/password`);
    const threshold = server.config.lockout.threshold;
    for (let i = 0; i < threshold; i++) {
      page = await post(agent, page, '/account/password', { current: `guess ${i}`, password: 'jon new password 1', confirm: 'jon new password 1' });
    }
    expect(server.app.services.lockout.isLocked((await server.app.services.users.findById(u.id))!)).toBe(true);
    // Whoever was guessing from this session loses every session and token of the account.
    expect(await server.app.services.accountSessions.list(u.id)).toEqual([]);
    // My Profile asks for a new sign-in, which the lock refuses even with the right password.
    expect(page.html).toContain('name="password"');
    const refused = await agent.submit(page, '/step/password', { login: 'jon', password: 'jon password 1' });
    expect(refused.html).toContain('This account is locked.');
  });
});
