// What goes wrong at sign-in, table by table: wrong or unknown credentials, PINs that are expired,
// reused or guessed, lockout and unlock, the per-address limit, CSRF, bad redirect URIs, codes reused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { exchange, isCallback, openLogin, registerRelyingParty, signInWithPin, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Page, UserAgent } from '../support/user-agent.js';

describe('sign-in failures', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let rp: RelyingParty;
  let offset = 0;
  const now = () => Date.now() + offset;
  let n = 0;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({
      env: { SMTP_URL: await smtp.start(), LOCKOUT_THRESHOLD: '3', LOCKOUT_DURATION: '600', PIN_RESEND_COOLDOWN: '0', IP_FAILURE_LIMIT: '1000' },
      overrides: { clock: { now } },
    });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  async function newUser() {
    const name = `user${++n}`;
    const user = await server.app.services.users.create({ username: name, email: `${name}@example.com`, password: `${name} password` });
    return { name, user, password: `${name} password` };
  }

  async function toPinPage(agent: UserAgent, name: string, password: string): Promise<{ page: Page; pin: string }> {
    const login = await openLogin(agent, await startAuthorization(rp));
    const seen = smtp.messages.length;
    const page = await agent.follow(await agent.submit(login, '/step/password', { login: name, password }));
    expect(page.html).toContain('name="pin"');
    return { page, pin: pinFrom((await smtp.next(`${name}@example.com`, seen)).raw) };
  }

  const failedLogins = async (id: string) => (await server.app.services.users.findById(id))!.failedLogins;

  it.each([
    ['wrong password', (u: { name: string }) => ({ login: u.name, password: 'wrong password' })],
    ['unknown user', () => ({ login: 'nobody-here', password: 'whatever password' })],
    ['unknown e-mail', () => ({ login: 'nobody@example.com', password: 'whatever password' })],
  ])('%s: the same message, no PIN sent, audited', async (_, credentials) => {
    const u = await newUser();
    const agent = new UserAgent();
    const login = await openLogin(agent, await startAuthorization(rp));
    const seen = smtp.messages.length;
    const page = await agent.submit(login, '/step/password', credentials(u));
    expect(page.status).toBe(400);
    expect(page.html).toContain('The username or password is incorrect.');
    expect(page.html).toContain('name="password"');
    expect(smtp.messages.length).toBe(seen);
    const events = await server.app.services.audit.list({ type: 'login.password' });
    expect(events[0]?.outcome).toBe('failure');
  });

  it.each([
    ['expired', async (page: Page, pin: string, agent: UserAgent) => {
      offset += 301_000;
      return agent.submit(page, '/step/pin', { action: 'verify', pin });
    }, 'The PIN has expired.'],
    ['wrong', async (page: Page, pin: string, agent: UserAgent) => agent.submit(page, '/step/pin', { action: 'verify', pin: pin === '000000' ? '111111' : '000000' }), 'The PIN is incorrect or has expired.'],
  ])('%s PIN: refused, counted against the account', async (_, act, message) => {
    const u = await newUser();
    const agent = new UserAgent();
    const { page, pin } = await toPinPage(agent, u.name, u.password);
    const result = await act(page, pin, agent);
    offset = 0;
    expect(result.html).toContain(message);
    expect(await failedLogins(u.user.id)).toBe(1);
  });

  it('a PIN works once: reusing it on a second sign-in fails', async () => {
    const u = await newUser();
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    let used = '';
    await signInWithPin(agent, auth, u.name, u.password, async () => {
      used = pinFrom((await smtp.next(`${u.name}@example.com`, smtp.messages.length - 1)).raw);
      return used;
    });
    const other = new UserAgent();
    const { page } = await toPinPage(other, u.name, u.password);
    const reuse = await other.submit(page, '/step/pin', { action: 'verify', pin: used });
    expect(reuse.html).toMatch(/The PIN is incorrect or has expired\.|name="pin"/);
    expect(isCallback(reuse.location ?? '')).toBe(false);
  });

  it('too many wrong PINs void the PIN and lock the account; unlock lets the user in', async () => {
    const u = await newUser();
    const agent = new UserAgent();
    const { page, pin } = await toPinPage(agent, u.name, u.password);
    const wrong = pin === '000000' ? '111111' : '000000';
    let current = page;
    for (let i = 0; i < 2; i++) current = await agent.submit(current, '/step/pin', { action: 'verify', pin: wrong });
    const locked = await agent.submit(current, '/step/pin', { action: 'verify', pin: wrong });
    expect(locked.status).toBe(423);
    expect(locked.html).toContain('This account is locked');
    const right = await agent.post(new URL(locked.url).href, { pin });
    expect(right.location ?? '').not.toMatch(/cb/);

    // Locked: a wrong password is told only that it is wrong (the lock would tell that the account
    // exists), and it does not count; the right password learns of the lock.
    const again = new UserAgent();
    const login = await openLogin(again, await startAuthorization(rp));
    const guessed = await again.submit(login, '/step/password', { login: u.name, password: 'wrong password' });
    expect(guessed.status).toBe(400);
    expect(guessed.html).toContain('The username or password is incorrect.');
    expect(guessed.html).not.toContain('locked');
    expect(await failedLogins(u.user.id)).toBe(3);
    const refused = await again.submit(guessed, '/step/password', { login: u.name, password: u.password });
    expect(refused.status).toBe(423);
    expect(refused.html).toContain('This account is locked');
    expect(refused.html).not.toContain('incorrect');

    await server.app.services.lockout.unlock(u.user.id, { actor: 'test' });
    const unlocked = new UserAgent();
    const auth = await startAuthorization(rp);
    const callback = await signInWithPin(unlocked, auth, u.name, u.password, async () => pinFrom((await smtp.next(`${u.name}@example.com`, smtp.messages.length - 1)).raw));
    expect((await exchange(rp, auth, callback)).claims()!.sub).toBe(u.user.id);
    const types = (await server.app.services.audit.list({ subject: u.user.id })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['account.locked', 'account.unlocked', 'login.success']));
  });

  it('a temporary lock ends when its lifetime has passed', async () => {
    const u = await newUser();
    for (let i = 0; i < 3; i++) {
      const agent = new UserAgent();
      const login = await openLogin(agent, await startAuthorization(rp));
      await agent.submit(login, '/step/password', { login: u.name, password: 'wrong password' });
    }
    expect((await server.app.services.users.findById(u.user.id))!.lockedAt).not.toBeNull();
    offset += 601_000;
    const agent = new UserAgent();
    const { page } = await toPinPage(agent, u.name, u.password);
    offset = 0;
    expect(page.html).toContain('name="pin"');
  });

  it('limits failures per client address', async () => {
    const limited = await startTestServer({ env: { IP_FAILURE_LIMIT: '2' } });
    try {
      const client = await registerRelyingParty(limited);
      const agent = new UserAgent();
      let page = await openLogin(agent, await startAuthorization(client));
      for (let i = 0; i < 2; i++) page = await agent.submit(page, '/step/password', { login: 'ghost', password: 'nope nope' });
      const blocked = await agent.submit(page, '/step/password', { login: 'ghost', password: 'nope nope' });
      expect(blocked.status).toBe(429);
      expect(blocked.html).toContain('Too many failed sign-in attempts from your network.');
    } finally {
      await limited.close();
    }
  });

  it('weighs no more passwords than the address limit, however many come at once', async () => {
    const limited = await startTestServer({ env: { IP_FAILURE_LIMIT: '3' } });
    try {
      await limited.app.services.users.create({ username: 'burst', email: 'burst@example.com', password: 'burst password 1' });
      const client = await registerRelyingParty(limited);
      // Ten sign-ins, each on its own page, sent at once from one address.
      const pages = await Promise.all(Array.from({ length: 10 }, async () => {
        const agent = new UserAgent();
        return { agent, page: await openLogin(agent, await startAuthorization(client)) };
      }));
      const answers = await Promise.all(pages.map(({ agent, page }, i) => agent.submit(page, '/step/password', { login: 'burst', password: `wrong guess ${i}` })));
      expect(answers.filter((a) => a.status === 429)).toHaveLength(7);
      const weighed = (await limited.app.services.audit.list({ type: 'login.password', limit: 100 })).filter((e) => e.details?.reason === 'wrong_password');
      expect(weighed).toHaveLength(3);
      // The window is spent: the right password, too, waits for the next one.
      const agent = new UserAgent();
      const refused = await agent.submit(await openLogin(agent, await startAuthorization(client)), '/step/password', { login: 'burst', password: 'burst password 1' });
      expect(refused.status).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it.each([
    ['missing', undefined],
    ['wrong', 'not-the-token'],
  ])('CSRF token %s: 403, nothing attempted', async (_, token) => {
    const u = await newUser();
    const agent = new UserAgent();
    const login = await openLogin(agent, await startAuthorization(rp));
    const uid = /\/interaction\/([^/]+)\/step\/password/.exec(login.html)![1]!;
    const before = (await server.app.services.audit.list({ type: 'login.password', limit: 1000 })).length;
    const res = await agent.post(`${server.url}/interaction/${uid}/step/password`, { login: u.name, password: 'wrong password', ...(token ? { _csrf: token } : {}) });
    expect(res.status).toBe(403);
    expect(res.html).toContain('Your form has expired.');
    expect((await server.app.services.audit.list({ type: 'login.password', limit: 1000 })).length).toBe(before);
    expect(await failedLogins(u.user.id)).toBe(0);
  });

  it('refuses a redirect_uri that is not registered, without redirecting to it', async () => {
    const url = oidc.buildAuthorizationUrl(rp.config, { redirect_uri: 'https://evil.example.com/cb', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    const page = await new UserAgent().get(url.href);
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
    expect(page.html).toMatch(/redirect_uri did not match any of the client(&#39;|')s registered redirect_uris/);
    expect(page.html).not.toMatch(/\s+at\s+\S+\s\(|node_modules|\.ts:\d+/);
  });

  it('refuses an authorization code used twice', async () => {
    const u = await newUser();
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const callback = await signInWithPin(agent, auth, u.name, u.password, async () => pinFrom((await smtp.next(`${u.name}@example.com`, smtp.messages.length - 1)).raw));
    await exchange(rp, auth, callback);
    await expect(exchange(rp, auth, callback)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('never lets a later step run before the password', async () => {
    const agent = new UserAgent();
    const login = await openLogin(agent, await startAuthorization(rp));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.html)![1]!;
    const uid = /\/interaction\/([^/]+)\/step\/password/.exec(login.html)![1]!;
    const res = await agent.post(`${server.url}/interaction/${uid}/step/pin`, { _csrf: csrf, action: 'verify', pin: '123456' });
    expect(res.status).toBe(409);
    expect(res.html).toContain('That page is out of date.');
    expect(res.html).toContain('name="password"');
  });

  it('shows no stack trace on an unknown page or a broken interaction', async () => {
    for (const path of ['/no/such/page', '/interaction/not-a-real-uid']) {
      const page = await new UserAgent().get(`${server.url}${path}`);
      expect(page.status).toBeGreaterThanOrEqual(400);
      expect(page.html).not.toMatch(/\s+at\s+\S+\s\(|node_modules|\.ts:\d+|Error:/);
    }
  });
});
