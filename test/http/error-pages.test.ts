// No dead ends: every error page a person meets says what happened and offers a way on — start the
// sign-in again, back to the application, or My Profile; a lock says until when; a form whose cookie
// is gone, or a step's address typed in the address bar, shows the sign-in again.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isCallback, openLogin, registerRelyingParty, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Page, UserAgent } from '../support/user-agent.js';

describe('error pages with a way on', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let rp: RelyingParty;
  let n = 0;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: await smtp.start(), LOCKOUT_THRESHOLD: '3', LOCKOUT_DURATION: '900', PIN_RESEND_COOLDOWN: '0', IP_FAILURE_LIMIT: '1000' } });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  async function newUser() {
    const name = `err${++n}`;
    const user = await server.app.services.users.create({ username: name, email: `${name}@example.com`, password: `${name} password` });
    return { name, user, password: `${name} password` };
  }

  const uidOf = (page: Page) => /\/interaction\/([^/"]+)\//.exec(page.html)![1]!;
  const links = (page: Page) => [...page.html.matchAll(/<a [^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map(([, href, text]) => ({ href: href!.replace(/&amp;/g, '&'), text: text! }));
  const noStack = (page: Page) => expect(page.html).not.toMatch(/\s+at\s+\S+\s\(|node_modules|\.ts:\d+/);

  it('404: says the page is not there and offers My Profile', async () => {
    const page = await new UserAgent().get(`${server.url}/no-such-page`);
    expect(page.status).toBe(404);
    expect(page.html).toContain('We could not find that page');
    expect(links(page)).toContainEqual({ href: '/account', text: 'Go to My Profile' });
    noStack(page);
  });

  it('an unknown sign-in: expired, with a way home', async () => {
    const page = await new UserAgent().get(`${server.url}/interaction/no-such-sign-in`);
    expect(page.status).toBe(401);
    expect(page.html).toContain('Your sign-in has expired');
    expect(links(page).map((l) => l.href)).toContain('/account');
  });

  it('a sign-in whose cookies are gone: expired, and "start again" repeats the application’s request', async () => {
    const login = await openLogin(new UserAgent(), await startAuthorization(rp));
    const uid = uidOf(login);
    const stranger = new UserAgent();
    const page = await stranger.get(`${server.url}/interaction/${uid}`);
    expect(page.status).toBe(401);
    expect(page.html).toContain('Your sign-in has expired');
    const restart = links(page).find((l) => l.text === 'Start the sign-in again');
    expect(restart?.href).toMatch(/^\/auth\?/);
    expect(restart!.href).toContain('client_id=test-app');
    const again = await stranger.follow(await stranger.get(`${server.url}${restart!.href}`));
    expect(again.status).toBe(200);
    expect(again.html).toContain('name="password"');
    expect(uidOf(again)).not.toBe(uid);

    // The same when the form is sent without any cookie (cleared mid-form).
    const posted = await stranger.post(`${server.url}/interaction/${uid}/step/password`, { login: 'x', password: 'y', _csrf: 'stale' });
    expect(posted.status).toBe(401);
    expect(links(posted).some((l) => l.text === 'Start the sign-in again')).toBe(true);
  });

  it('a step’s address in the address bar after a failed submit shows the sign-in', async () => {
    const u = await newUser();
    const agent = new UserAgent();
    const login = await openLogin(agent, await startAuthorization(rp));
    const failed = await agent.submit(login, '/step/password', { login: u.name, password: 'wrong password' });
    expect(failed.status).toBe(400);
    const typed = await agent.get(`${server.url}/interaction/${uidOf(login)}/step/password`);
    expect(typed.status).toBe(303);
    expect(typed.location).toBe(`/interaction/${uidOf(login)}`);
    const shown = await agent.follow(typed);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('name="password"');
  });

  it('a form whose CSRF token no longer matches is shown again with a notice, and sending it again works', async () => {
    const u = await newUser();
    const agent = new UserAgent();
    const login = await openLogin(agent, await startAuthorization(rp));
    const refused = await agent.post(`${server.url}/interaction/${uidOf(login)}/step/password`, { login: u.name, password: u.password, _csrf: 'from-an-old-page' });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('Your form has expired');
    expect(refused.html).toContain('name="password"');
    // A reload (the same post) shows the form again, not a page a reload cannot fix.
    const reloaded = await agent.post(`${server.url}/interaction/${uidOf(login)}/step/password`, { login: u.name, password: u.password, _csrf: 'from-an-old-page' });
    expect(reloaded.html).toContain('name="password"');
    const seen = smtp.messages.length;
    const next = await agent.follow(await agent.submit(reloaded, '/step/password', { login: u.name, password: u.password }));
    expect(next.html).toContain('name="pin"');
    expect(pinFrom((await smtp.next(`${u.name}@example.com`, seen)).raw)).toMatch(/^\d+$/);
  });

  it('a lock met at the right password says for how long', async () => {
    const u = await newUser();
    const agent = new UserAgent();
    const login = await openLogin(agent, await startAuthorization(rp));
    let page = login;
    for (let i = 0; i < 3; i++) page = await agent.submit(page, '/step/password', { login: u.name, password: 'wrong password' });
    // Only the right password learns of the lock: a wrong one is told it is wrong, as for any name.
    page = await agent.submit(page, '/step/password', { login: u.name, password: 'wrong password' });
    expect(page.status).toBe(400);
    expect(page.html).toContain('The username or password is incorrect.');
    expect(page.html).not.toContain('locked');
    const locked = await agent.submit(page, '/step/password', { login: u.name, password: u.password });
    expect(locked.status).toBe(423);
    expect(locked.html).toContain('This account is locked. It stays locked for 15 minutes');
    expect(locked.html).toContain('name="password"');
  });

  it('the wrong PIN that locks the account ends on a page that says for how long and offers to start again', async () => {
    const u = await newUser();
    const agent = new UserAgent();
    const login = await openLogin(agent, await startAuthorization(rp));
    const seen = smtp.messages.length;
    let page = await agent.follow(await agent.submit(login, '/step/password', { login: u.name, password: u.password }));
    expect(page.html).toContain('name="pin"');
    const pin = pinFrom((await smtp.next(`${u.name}@example.com`, seen)).raw);
    const wrong = pin === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3 && page.html.includes('name="pin"'); i++) page = await agent.submit(page, '/step/pin', { action: 'verify', pin: wrong });
    expect(page.status).toBe(423);
    expect(page.html).toContain('This account is locked');
    expect(page.html).toContain('locked for 15 minutes');
    expect(links(page).some((l) => l.text === 'Start the sign-in again' && l.href.startsWith('/auth?'))).toBe(true);
    noStack(page);
  });

  it('a lock by an administrator says it lasts until an administrator unlocks it', async () => {
    const u = await newUser();
    await server.app.services.userAdmin.lock(u.user.id, { actor: 'test' });
    const agent = new UserAgent();
    const login = await openLogin(agent, await startAuthorization(rp));
    const guessed = await agent.submit(login, '/step/password', { login: u.name, password: 'wrong password' });
    expect(guessed.html).toContain('The username or password is incorrect.');
    expect(guessed.html).not.toContain('locked');
    const locked = await agent.submit(guessed, '/step/password', { login: u.name, password: u.password });
    expect(locked.status).toBe(423);
    expect(locked.html).toContain('This account is locked. It stays locked until an administrator unlocks it.');
  });

  it('"Cancel and return to the application" gives the application access_denied', async () => {
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const login = await openLogin(agent, auth);
    const back = await agent.follow(await agent.submit(login, '/abort'), isCallback);
    const callback = new URL(back.url);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(auth.state);
  });
});
