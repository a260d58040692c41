// A lock tells nobody that an account exists: a wrong password on a locked account gets the very page a
// wrong password on any account, or a name nobody has, gets (the password is still hashed, the attempt
// audited, the lock neither counted nor extended); only the right password learns of the lock and how long it lasts.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { byLabels } from '../support/labelled-fields.js';
import { openLogin, registerRelyingParty, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { TestClock } from '../support/test-clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Page, UserAgent } from '../support/user-agent.js';

describe('no account enumeration through the lock', () => {
  let server: TestServer;
  let rp: RelyingParty;
  const clock = new TestClock();
  let n = 0;

  beforeAll(async () => {
    server = await startTestServer({ env: { LOCKOUT_THRESHOLD: '3', LOCKOUT_DURATION: '600', IP_FAILURE_LIMIT: '1000' }, overrides: { clock } });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
  });

  const s = () => server.app.services;

  async function newUser() {
    const name = `enum${++n}`;
    const user = await s().users.create({ username: name, email: `${name}@example.com`, password: `${name} password 1` });
    return { name, user, password: `${name} password 1` };
  }

  /** A new sign-in's password page, sent with `login` and `password` typed into their labelled fields. */
  async function signIn(login: string, password: string): Promise<Page> {
    const agent = new UserAgent();
    const page = await openLogin(agent, await startAuthorization(rp));
    return agent.submit(page, '/step/password', byLabels(page.html, { 'Username or e-mail address': login, Password: password }));
  }

  /** What differs between two sign-ins by nature: the form token, the sign-in's id, its passkey challenge, the name typed back. */
  const masked = (page: Page, login: string) =>
    page.html
      .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="CSRF"')
      .replace(/\/interaction\/[^/"]+\//g, '/interaction/UID/')
      .replace(/&quot;challenge&quot;:&quot;[^&]*&quot;/g, '&quot;challenge&quot;:&quot;CHALLENGE&quot;')
      .replaceAll(`value="${login}"`, 'value="LOGIN"');

  const lockedByFailures = async () => {
    const u = await newUser();
    for (let i = 0; i < 3; i++) await signIn(u.name, 'not the password');
    return u;
  };
  const lockedByAdministrator = async () => {
    const u = await newUser();
    await s().userAdmin.lock(u.user.id, { actor: 'test' });
    return u;
  };

  it.each([
    // A minute into a 10-minute lock: 9 minutes left (a wrong password extended nothing).
    ['by failures', lockedByFailures, 'This account is locked. It stays locked for 9 minutes'],
    ['by an administrator', lockedByAdministrator, 'This account is locked. It stays locked until an administrator unlocks it.'],
  ])('locked %s: a wrong password answers as for an unknown name or any wrong password; the right one shows the lock', async (_, lock, lockText) => {
    const locked = await lock();
    const before = (await s().users.findById(locked.user.id))!;
    expect(s().lockout.isLocked(before)).toBe(true);
    const other = await newUser();
    const hashed = jest.spyOn(s().hasher, 'verifyEvenly');
    clock.tick(60_000);

    const onLocked = await signIn(locked.name, 'not the password');
    expect(hashed).toHaveBeenCalledTimes(1);
    hashed.mockRestore();
    const onUnknown = await signIn('nobody-by-this-name', 'not the password');
    const onOther = await signIn(other.name, 'not the password');
    for (const page of [onLocked, onUnknown, onOther]) {
      expect(page.status).toBe(400);
      expect(page.html).toContain('The username or password is incorrect.');
      expect(page.html).not.toContain('locked');
    }
    expect(masked(onLocked, locked.name)).toBe(masked(onUnknown, 'nobody-by-this-name'));
    expect(masked(onLocked, locked.name)).toBe(masked(onOther, other.name));

    // Audited against the locked account; neither counted nor extended.
    const after = (await s().users.findById(locked.user.id))!;
    expect(after).toMatchObject({ failedLogins: before.failedLogins, lockedAt: before.lockedAt, lockedUntil: before.lockedUntil });
    const [event] = await s().audit.list({ type: 'login.password', subject: locked.user.id });
    expect(event).toMatchObject({ outcome: 'failure', details: { reason: 'locked', wrongPassword: true } });
    expect(await s().audit.list({ type: 'account.locked', subject: locked.user.id })).toHaveLength(1);

    const right = await signIn(locked.name, locked.password);
    expect(right.status).toBe(423);
    expect(right.html).toContain(lockText);
    expect(right.html).not.toContain('The username or password is incorrect.');
    expect(right.html).toContain('Password');
  });

  it('once the lock has ended, the right password signs in as before', async () => {
    const u = await lockedByFailures();
    await signIn(u.name, 'not the password');
    clock.tick(601_000);
    const page = await signIn(u.name, u.password);
    expect(page.status).toBe(303);
    expect((await s().users.findById(u.user.id))!.lockedAt).toBeNull();
  });
});
