// A password an administrator set (or the system generated) is temporary: at the next sign-in, after
// both factors, the user chooses their own before returning to the application, and a temporary
// password never replaced stops working after TEMPORARY_PASSWORD_TTL (ASVS 2.3.1).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UserActions } from '../../src/admin/actions/user.actions.js';
import { exchange, isCallback, registerRelyingParty, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { signInByEmailPin } from '../support/pin-sign-in.js';
import { SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Page, UserAgent } from '../support/user-agent.js';

const TTL_SECONDS = 3600;

describe('temporary passwords', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let rp: RelyingParty;
  let offset = 0;
  const admin = { actor: 'admin-test' };

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: await smtp.start(), TEMPORARY_PASSWORD_TTL: String(TTL_SECONDS) }, overrides: { clock: { now: () => Date.now() + offset } } });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  const s = () => server.app.services;
  async function account(username: string, temporaryPassword: string) {
    const user = await s().users.create({ username, email: `${username}@example.com`, password: `${username} own password` });
    await s().userAdmin.setPassword(user.id, temporaryPassword, admin, { temporary: true });
    return user;
  }

  it('makes the user choose their own password after both factors, then returns to the application', async () => {
    const user = await account('tara', 'set by the help desk');
    expect((await s().users.findById(user.id))!.temporaryPasswordUntil).not.toBeNull();
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const { afterPin } = await signInByEmailPin(agent, auth, 'tara', 'set by the help desk', 'tara@example.com', smtp);
    expect(afterPin!.html).toContain('<h1>Choose your password</h1>');
    expect(afterPin!.html).toContain('<label for="new-password">New password</label>');

    const step = async (page: Page, password: string, confirm = password) => agent.follow(await agent.submit(page, '/step/new-password', { password, confirm }), isCallback);
    const mismatch = await step(afterPin!, 'tara chosen password', 'tara other password');
    expect(mismatch.html).toContain('The new password and its confirmation are not the same.');
    const same = await step(mismatch, 'set by the help desk');
    expect(same.html).toContain('The password was used before.');
    const common = await step(same, 'Password123');
    expect(common.html).toContain('one of the most commonly used');
    const done = await step(common, 'tara chosen password');
    expect(isCallback(done.url)).toBe(true);
    expect((await exchange(rp, auth, done.url)).claims()!.sub).toBe(user.id);

    expect((await s().users.findById(user.id))!.temporaryPasswordUntil).toBeNull();
    await expect(s().passwordLogin.authenticate('tara', 'set by the help desk', {})).rejects.toMatchObject({ code: 'login.invalid_credentials' });
    await expect(s().passwordLogin.authenticate('tara', 'tara chosen password', {})).resolves.toMatchObject({ id: user.id });
    const set = (await s().audit.list({ subject: user.id })).filter((e) => e.type === 'user.password_set');
    expect(set.map((e) => [e.actor, e.details])).toEqual(expect.arrayContaining([[user.id, { temporary: false }], ['admin-test', { temporary: true }]]));
    // The next sign-in goes straight through.
    const again = await signInByEmailPin(new UserAgent(), await startAuthorization(rp), 'tara', 'tara chosen password', 'tara@example.com', smtp);
    expect(isCallback(again.afterPin!.url)).toBe(true);
  });

  it('refuses a temporary password that was not replaced in time, with a clear message', async () => {
    await account('uma', 'uma temporary pass');
    offset += (TTL_SECONDS + 1) * 1000;
    try {
      const { afterPassword, pin } = await signInByEmailPin(new UserAgent(), await startAuthorization(rp), 'uma', 'uma temporary pass', 'uma@example.com', smtp);
      expect(pin).toBeUndefined();
      expect(afterPassword.html).toContain('Your temporary password has expired. Ask your administrator to set a new one.');
    } finally {
      offset = 0;
    }
  });

  it('makes passwords given by administrators temporary, and not the ones users choose', async () => {
    const chosen = await s().users.create({ username: 'vic', email: 'vic@example.com', password: 'vic own password' });
    expect(chosen.temporaryPasswordUntil ?? null).toBeNull();
    const made = await new UserActions(s()).create({ actor: 'admin-test', role: 'admin' }, { username: 'wes', email: 'wes@example.com' });
    const created = await s().userAdmin.get(made.user.id);
    expect(created.temporaryPasswordUntil).toBeGreaterThan(Date.now());
    await s().userAdmin.setPassword(chosen.id, 'vic second password', { actor: chosen.id });
    expect((await s().users.findById(chosen.id))!.temporaryPasswordUntil).toBeNull();
  });
});
